package io.kvmop.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.cli.PowerCommand;
import io.kvmop.libvirt.DomainState.RunState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * kvmop start|stop --manifests against a running kvmop run (libvirt's test driver): the request
 * goes to the status directory, never to the manifests; the agent acts on it once and answers in
 * the status file; the runStrategy rules refuse what makes no sense.
 */
class StandalonePowerIT {
  @TempDir Path dir;
  StandaloneAgentIT base = new StandaloneAgentIT();
  Thread running;

  static final String MANUAL =
      """
      apiVersion: kvmop.io/v1alpha1
      kind: KvmMachine
      metadata: {name: vm}
      spec:
        runStrategy: Manual
        memory: 256Mi
        shutdownTimeout: 1s
      """;

  @BeforeEach
  void setUp() throws Exception {
    base.dir = dir;
    base.setUp();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (running != null) {
      running.interrupt();
      running.join(10_000);
    }
    base.tearDown();
  }

  void runKvmop() throws Exception {
    StandaloneAgent agent = base.agent(Clock.systemUTC());
    agent.reconcileOnce();
    StandaloneRunner runner = new StandaloneRunner(agent, base.manifests, base.libvirt);
    running =
        new Thread(
            () -> {
              try {
                runner.run(() -> false, Instant.now().plusSeconds(120));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    running.start();
  }

  int kvmop(PowerCommand verb, ByteArrayOutputStream out) {
    int exit =
        new CommandLine(verb.using(null, new PrintStream(out, true)))
            .execute("vm", "--manifests", base.manifests.toString(), "--wait", "30");
    System.out.print(out);
    return exit;
  }

  RunState state() {
    return base.libvirt.domains().findDomain("kvmop-default-vm").orElseThrow().state();
  }

  @Test
  void startAndStopAManualMachineWithoutTouchingItsManifest() throws Exception {
    Files.writeString(base.manifests.resolve("vm.yaml"), MANUAL);
    runKvmop();
    assertThat(state()).isEqualTo(RunState.SHUTOFF);

    ByteArrayOutputStream started = new ByteArrayOutputStream();
    assertThat(kvmop(new PowerCommand.Start(), started)).isZero();
    assertThat(started.toString()).contains("default/vm:");
    assertThat(state()).isEqualTo(RunState.RUNNING);

    ByteArrayOutputStream stopped = new ByteArrayOutputStream();
    assertThat(kvmop(new PowerCommand.Stop(), stopped)).isZero();
    assertThat(state()).isEqualTo(RunState.SHUTOFF);
    assertThat(Files.readString(base.manifests.resolve("vm.yaml"))).isEqualTo(MANUAL);
    assertThat(base.status.resolve("KvmMachine/default/vm.yaml"))
        .content()
        .contains("outcome: \"Done\"");

    // answered requests are not acted on again by a new kvmop process
    running.interrupt();
    running.join(10_000);
    running = null;
    base.libvirt.domains().startDomain("kvmop-default-vm"); // started by hand meanwhile (Manual)
    base.agent(Clock.systemUTC()).reconcileOnce();
    assertThat(state()).as("the stop was not done again").isEqualTo(RunState.RUNNING);
  }

  @Test
  void aStopOfAnAlwaysMachineIsRefusedWithTheReason() throws Exception {
    Files.writeString(base.manifests.resolve("vm.yaml"), StandaloneAgentIT.MACHINE);
    runKvmop();
    ByteArrayOutputStream refused = new ByteArrayOutputStream();
    assertThat(kvmop(new PowerCommand.Stop(), refused)).isEqualTo(1);
    assertThat(refused.toString()).contains("refused (RunStrategy)", "Halted");
    assertThat(state()).isEqualTo(RunState.RUNNING);

    ByteArrayOutputStream missing = new ByteArrayOutputStream();
    int exit =
        new CommandLine(new PowerCommand.Start().using(null, new PrintStream(missing, true)))
            .execute("nope", "--manifests", base.manifests.toString());
    assertThat(exit).isEqualTo(1);
    assertThat(missing.toString()).contains("no status of KvmMachine default/nope");
  }
}
