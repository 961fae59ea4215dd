package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.KvmMachine;
import io.kvmop.api.MachinePhase;
import io.kvmop.api.RunStrategy;
import io.kvmop.cli.PowerCommand;
import io.kvmop.libvirt.DomainState;
import io.kvmop.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * kvmop start|stop|restart|pause|unpause, as a user runs them, against the agent on the test
 * driver: each acts once, answers in status.request, never writes spec (the generation stays), and
 * refuses what the runStrategy rules out.
 */
class PowerRequestIT extends NetworkItBase {
  static final String DOMAIN = "kvmop-default-vm";

  record Run(int exit, String out) {}

  Run kvmop(PowerCommand verb, String... args) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int exit = new CommandLine(verb.using(client, new PrintStream(buf, true))).execute(args);
    return new Run(exit, buf.toString());
  }

  Optional<DomainState> domain() {
    return libvirt.domains().findDomain(DOMAIN);
  }

  KvmMachine vm(RunStrategy strategy) {
    KvmMachine m = Fixtures.machine("default", "vm");
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-a";
    m.getSpec().memory = "256Mi";
    m.getSpec().shutdownTimeout = "2s";
    m.getSpec().runStrategy = strategy;
    return m;
  }

  @Test
  void pauseUnpauseRestartAndTheAlwaysRule() {
    k8s.create(vm(RunStrategy.Always));
    KvmMachine running = k8s.awaitMachine("vm", "Ready", true, "Running", 15);
    long generation = running.getMetadata().getGeneration();

    Run stop = kvmop(new PowerCommand.Stop(), "vm", "-n", "default", "--wait", "20");
    assertThat(stop.exit()).isEqualTo(1);
    assertThat(stop.out()).contains("refused (RunStrategy)", "spec.runStrategy to Halted");
    assertThat(domain().orElseThrow().running()).isTrue();

    Run pause = kvmop(new PowerCommand.Pause(), "vm", "-n", "default", "--wait", "20");
    assertThat(pause.exit()).as(pause.out()).isZero();
    assertThat(domain().orElseThrow().state()).isEqualTo(DomainState.RunState.PAUSED);
    KvmMachine paused = k8s.awaitMachine("vm", "Ready", true, "Paused", 10);
    assertThat(paused.getStatus().phase).isEqualTo(MachinePhase.Paused);

    Run unpause = kvmop(new PowerCommand.Unpause(), "vm", "-n", "default", "--wait", "20");
    assertThat(unpause.exit()).as(unpause.out()).isZero();
    assertThat(domain().orElseThrow().state()).isEqualTo(DomainState.RunState.RUNNING);

    Run restart = kvmop(new PowerCommand.Restart(), "vm", "-n", "default", "--wait", "30");
    assertThat(restart.exit()).as(restart.out()).isZero();
    assertThat(restart.out()).contains("restarted");
    within(10).until(() -> domain().map(DomainState::running).orElse(false));

    KvmMachine after = k8s.machine("vm");
    assertThat(after.getMetadata().getGeneration()).as("spec never written").isEqualTo(generation);
    assertThat(after.getStatus().request.verb).isEqualTo("restart");
    assertThat(after.getStatus().request.outcome).isEqualTo("Done");
  }

  @Test
  void stopAndStartAManualMachineAndAStoppedOneStaysStopped() throws Exception {
    k8s.create(vm(RunStrategy.RerunOnFailure));
    k8s.awaitMachine("vm", "Ready", true, "Running", 15);

    Run stop = kvmop(new PowerCommand.Stop(), "vm", "-n", "default", "--wait", "30");
    assertThat(stop.exit()).as(stop.out()).isZero();
    assertThat(domain().orElseThrow().running()).isFalse();
    Thread.sleep(2000); // RerunOnFailure would start a destroyed domain again; a stopped one stays
    assertThat(domain().orElseThrow().running()).isFalse();

    Run again = kvmop(new PowerCommand.Restart(), "vm", "-n", "default", "--wait", "20");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.out()).contains("refused (NotRunning)");

    Run start = kvmop(new PowerCommand.Start(), "vm", "-n", "default", "--wait", "20");
    assertThat(start.exit()).as(start.out()).isZero();
    within(10).until(() -> domain().map(DomainState::running).orElse(false));
  }

  @Test
  void aMachineThatDoesNotExistIsSaidSo() {
    Run r = kvmop(new PowerCommand.Start(), "nope", "-n", "default", "--wait", "2");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("KvmMachine default/nope not found");
  }
}
