package io.kvmop.machine;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.kvmop.api.InterfaceStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.MachinePhase;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.DomainState.RunState;
import io.kvmop.status.Conditions;
import io.kvmop.testing.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MachineStatusBuilderTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private final KvmMachine m = Fixtures.machine("default", "web-1", "lab");
  private final MachineNaming naming =
      MachineNaming.of("default", "web-1", m.getMetadata().getUid(), "/var/log/kvmop");
  private final DomainState running =
      new DomainState(
          naming.domainName(), m.getMetadata().getUid(), true, RunState.RUNNING, 1, null, null);

  private MachineOutcome outcome(List<String> ips) {
    List<InterfaceStatus> nics = MachineStatusBuilder.interfaces(m, naming);
    nics.get(0).ipAddresses = ips;
    nics.get(0).source = ips.isEmpty() ? null : "lease";
    return new MachineOutcome(
        naming,
        Optional.of(running),
        null,
        new MachineOutcome.OnHost("qemu", "no vmx/svm"),
        new MachineOutcome.Guest(nics, null, null, false, null, null),
        new MachineOutcome.Storage(null, null, null));
  }

  private static Condition cond(KvmMachineStatus s, String type) {
    return Conditions.find(s.conditions, type).orElseThrow();
  }

  @Test
  void aRunningMachineWithItsAddressIsReady() {
    KvmMachineStatus s =
        MachineStatusBuilder.build(
            m, "host-a", outcome(List.of("10.0.0.5")), Duration.ofSeconds(120), T0);
    assertThat(s.phase).isEqualTo(MachinePhase.Running);
    assertThat(s.ipAddresses).containsExactly("10.0.0.5");
    assertThat(cond(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(cond(s, "IPAssigned").getReason()).isEqualTo("Lease");
    assertThat(cond(s, "KVMAvailable").getMessage()).contains("no vmx/svm", "qemu");
  }

  @Test
  void noAddressAfterTheWaitNamesTheLikelyCauses() {
    KvmMachineStatus first =
        MachineStatusBuilder.build(m, "host-a", outcome(List.of()), Duration.ofSeconds(120), T0);
    assertThat(first.phase).isEqualTo(MachinePhase.Starting);
    assertThat(cond(first, "IPAssigned").getReason()).isEqualTo("WaitingForIP");
    m.setStatus(first);
    KvmMachineStatus later =
        MachineStatusBuilder.build(
            m, "host-a", outcome(List.of()), Duration.ofSeconds(120), T0.plusSeconds(121));
    Condition ip = cond(later, "IPAssigned");
    assertThat(ip.getReason()).isEqualTo("NoIPAddress");
    assertThat(ip.getMessage())
        .contains("after 120s", "no DHCP client", "wrong network", "firewall", "keeps watching");
    assertThat(cond(later, "Ready").getStatus()).isEqualTo("False");
  }

  @Test
  void kstatusReadyMeansAsDeclaredReconcilingWhileOnTheWayStalledWhenAHumanMustAct() {
    // running with its address: Ready, nothing in progress
    KvmMachineStatus up =
        MachineStatusBuilder.build(
            m, "host-a", outcome(List.of("10.0.0.5")), Duration.ofSeconds(120), T0);
    assertThat(Conditions.find(up.conditions, "Reconciling")).isEmpty();
    assertThat(Conditions.find(up.conditions, "Stalled")).isEmpty();

    // waiting for an address: in progress
    KvmMachineStatus waiting =
        MachineStatusBuilder.build(m, "host-a", outcome(List.of()), Duration.ofSeconds(120), T0);
    assertThat(cond(waiting, "Ready").getStatus()).isEqualTo("False");
    assertThat(cond(waiting, "Reconciling").getStatus()).isEqualTo("True");
    assertThat(cond(waiting, "Reconciling").getReason()).isEqualTo("WaitingForIP");
    assertThat(Conditions.find(waiting.conditions, "Stalled")).isEmpty();

    // Halted and stopped is what was declared: Ready, not "not ready" forever
    m.getSpec().runStrategy = io.kvmop.api.RunStrategy.Halted;
    DomainState stopped =
        new DomainState(
            naming.domainName(), m.getMetadata().getUid(), false, RunState.SHUTOFF, -1, null, null);
    KvmMachineStatus halted =
        MachineStatusBuilder.build(
            m, "host-a", with(outcome(List.of()), stopped), Duration.ofSeconds(120), T0);
    assertThat(halted.phase).isEqualTo(MachinePhase.Stopped);
    assertThat(cond(halted, "Ready").getStatus()).isEqualTo("True");
    assertThat(cond(halted, "Ready").getReason()).isEqualTo("Halted");
    assertThat(cond(halted, "Ready").getObservedGeneration())
        .isEqualTo(m.getMetadata().getGeneration());
    assertThat(Conditions.find(halted.conditions, "Reconciling")).isEmpty();

    // Halted but still running: on its way down
    KvmMachineStatus stopping =
        MachineStatusBuilder.build(
            m, "host-a", outcome(List.of("10.0.0.5")), Duration.ofSeconds(120), T0);
    assertThat(cond(stopping, "Ready").getStatus()).isEqualTo("False");
    assertThat(cond(stopping, "Reconciling").getReason()).isEqualTo("ShuttingDown");

    // a bad spec: no waiting fixes it
    KvmMachineStatus invalid =
        MachineStatusBuilder.build(
            m,
            "host-a",
            blocked(outcome(List.of()), "InvalidSpec", "spec.memory: 3Xi is not a size"),
            Duration.ofSeconds(120),
            T0);
    assertThat(cond(invalid, "Stalled").getStatus()).isEqualTo("True");
    assertThat(cond(invalid, "Stalled").getMessage()).isEqualTo("spec.memory: 3Xi is not a size");
    assertThat(Conditions.find(invalid.conditions, "Reconciling")).isEmpty();
  }

  private static MachineOutcome with(MachineOutcome o, DomainState d) {
    return new MachineOutcome(
        o.naming(), Optional.of(d), o.blocker(), o.host(), o.guest(), o.storage());
  }

  private static MachineOutcome blocked(MachineOutcome o, String reason, String message) {
    return new MachineOutcome(
        o.naming(),
        Optional.empty(),
        new io.kvmop.status.Blocker(reason, message),
        o.host(),
        o.guest(),
        o.storage());
  }
}
