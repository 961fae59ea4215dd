package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.BootSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.RunStrategy;
import io.kvmop.cli.PowerCommand;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.SystemLeftovers;
import io.kvmop.testing.TestGuest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The power verbs on a real guest: kvmop pause leaves QEMU's vCPUs paused (virsh domstate), unpause
 * runs them again, restart gives the guest a new QEMU (a new domain id) that boots again, stop and
 * start of a Manual machine; the spec is never written.
 */
class SystemPowerIT extends SystemItBase {
  static final String NAME = SystemLeftovers.PREFIX + "power";
  static final String DOMAIN = "kvmop-default-" + NAME;

  int kvmop(PowerCommand verb) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int exit =
        new CommandLine(verb.using(client, new PrintStream(buf, true)))
            .execute(NAME, "-n", "default", "--wait", "90");
    System.out.print(buf);
    return exit;
  }

  @Test
  void pauseUnpauseRestartStopStartOnARealGuest() throws Exception {
    Path guest = TestGuest.build();
    KvmMachine m = Fixtures.machine("default", NAME);
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-a";
    m.getSpec().memory = "128Mi";
    m.getSpec().shutdownTimeout = "3s";
    m.getSpec().runStrategy = RunStrategy.Manual;
    m.getSpec().boot = new BootSpec();
    m.getSpec().boot.kernel = guest.resolve("vmlinuz").toString();
    m.getSpec().boot.initrd = guest.resolve("initrd.gz").toString();
    m.getSpec().boot.cmdline = "console=ttyS0";
    k8s.create(m);
    k8s.awaitMachine(NAME, "Ready", true, "Stopped", 60); // Manual: defined, not started
    assertThat(virsh("domstate", DOMAIN).strip()).isEqualTo("shut off");

    assertThat(kvmop(new PowerCommand.Start())).isZero();
    assertThat(virsh("domstate", DOMAIN).strip()).isEqualTo("running");
    long generation = k8s.machine(NAME).getMetadata().getGeneration();

    assertThat(kvmop(new PowerCommand.Pause())).isZero();
    assertThat(virsh("domstate", DOMAIN).strip()).isEqualTo("paused");
    k8s.awaitMachine(NAME, "Ready", true, "Paused", 30);

    assertThat(kvmop(new PowerCommand.Unpause())).isZero();
    assertThat(virsh("domstate", DOMAIN).strip()).isEqualTo("running");

    String idBefore = virsh("domid", DOMAIN).strip();
    assertThat(kvmop(new PowerCommand.Restart())).isZero();
    assertThat(virsh("domstate", DOMAIN).strip()).isEqualTo("running");
    assertThat(virsh("domid", DOMAIN).strip()).as("a new QEMU").isNotEqualTo(idBefore);

    assertThat(kvmop(new PowerCommand.Stop())).isZero();
    assertThat(virsh("domstate", DOMAIN).strip()).isEqualTo("shut off");
    assertThat(k8s.machine(NAME).getMetadata().getGeneration()).isEqualTo(generation);

    k8s.delete(k8s.machine(NAME));
    within(60).until(() -> k8s.machine(NAME) == null);
  }
}
