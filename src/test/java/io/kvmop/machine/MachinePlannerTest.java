package io.kvmop.machine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.KvmMachine;
import io.kvmop.api.RunStrategy;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.DomainState.RunState;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.machine.MachineAction.Define;
import io.kvmop.machine.MachineAction.Destroy;
import io.kvmop.machine.MachineAction.Shutdown;
import io.kvmop.machine.MachineAction.Undefine;
import io.kvmop.status.Blocker;
import io.kvmop.testing.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MachinePlannerTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private final KvmMachine machine = Fixtures.machine("default", "web-1", "lab");
  private final String uid = machine.getMetadata().getUid();
  private final MachineNaming naming = MachineNaming.of("default", "web-1", uid, "/var/log/kvmop");
  private final DomainXml desired =
      MachineDesign.desired(machine, naming, Map.of("eth0", "kvmop-default-lab-1234"), "qemu");
  private final String name = naming.domainName();

  private MachinePlan plan(RunStrategy s, Optional<DomainState> cur, Instant asked, Instant now) {
    return MachinePlanner.plan(
        new MachinePlanner.Input(
            uid, name, desired, null, s, cur, false, asked, null, now, Duration.ofSeconds(90)));
  }

  private MachinePlan plan(RunStrategy s, Optional<DomainState> cur) {
    return plan(s, cur, null, T0);
  }

  private DomainState domain(RunState state, int reason) {
    return new DomainState(
        name, uid, true, state, reason, desired, state == RunState.RUNNING ? desired : null);
  }

  /** What each runStrategy does with no domain, a running one, and one stopped each way. */
  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> strategies() {
    int shutdown = DomainState.SHUTOFF_SHUTDOWN;
    int destroyed = DomainState.SHUTOFF_DESTROYED;
    int crashed = DomainState.SHUTOFF_CRASHED;
    return java.util.stream.Stream.of(
        // strategy, domain state (null: none), its reason, what kvmop does
        args(RunStrategy.Always, null, 0, "Define Start"),
        args(RunStrategy.RerunOnFailure, null, 0, "Define Start"),
        args(RunStrategy.Manual, null, 0, "Define"),
        args(RunStrategy.Halted, null, 0, "Define"),
        args(RunStrategy.Always, RunState.RUNNING, 1, ""),
        args(RunStrategy.Manual, RunState.RUNNING, 1, ""),
        args(RunStrategy.Always, RunState.SHUTOFF, shutdown, "Start"),
        args(RunStrategy.Always, RunState.SHUTOFF, destroyed, "Start"),
        args(RunStrategy.Always, RunState.SHUTOFF, crashed, "Start"),
        args(RunStrategy.RerunOnFailure, RunState.SHUTOFF, destroyed, "Start"),
        args(RunStrategy.RerunOnFailure, RunState.SHUTOFF, crashed, "Start"),
        args(RunStrategy.RerunOnFailure, RunState.SHUTOFF, shutdown, ""),
        args(RunStrategy.Manual, RunState.SHUTOFF, destroyed, ""),
        args(RunStrategy.Halted, RunState.SHUTOFF, shutdown, ""));
  }

  private static org.junit.jupiter.params.provider.Arguments args(
      RunStrategy s, RunState state, int reason, String actions) {
    return org.junit.jupiter.params.provider.Arguments.of(s, state, reason, actions);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}, domain {1} ({2}): {3}")
  @org.junit.jupiter.params.provider.MethodSource("strategies")
  void eachRunStrategyDoesWhatKubeVirtDefines(
      RunStrategy s, RunState state, int reason, String actions) {
    MachinePlan p = plan(s, state == null ? Optional.empty() : Optional.of(domain(state, reason)));
    assertThat(p.actions().stream().map(a -> a.getClass().getSimpleName()).toList())
        .isEqualTo(actions.isEmpty() ? List.of() : List.of(actions.split(" ")));
    assertThat(p.restartRequired()).isNull();
  }

  @Test
  void haltedShutsDownGracefullyThenDestroysAfterTheTimeout() {
    DomainState running = domain(RunState.RUNNING, 1);
    MachinePlan ask = plan(RunStrategy.Halted, Optional.of(running));
    assertThat(ask.actions()).containsExactly(new Shutdown(name, false));
    assertThat(ask.shutdownRequested()).isTrue();
    assertThat(ask.recheckAfter()).isEqualTo(Duration.ofSeconds(90));
    MachinePlan wait = plan(RunStrategy.Halted, Optional.of(running), T0, T0.plusSeconds(30));
    assertThat(wait.actions()).isEmpty();
    assertThat(wait.recheckAfter()).isEqualTo(Duration.ofSeconds(60));
    assertThat(plan(RunStrategy.Halted, Optional.of(running), T0, T0.plusSeconds(90)).actions())
        .containsExactly(new Destroy(name));
    assertThat(plan(RunStrategy.Halted, Optional.of(domain(RunState.SHUTOFF, 1))).actions())
        .isEmpty();
  }

  @Test
  void theAgentShutsDownWhenItAnswers() {
    MachinePlan p =
        MachinePlanner.plan(
            new MachinePlanner.Input(
                uid,
                name,
                desired,
                null,
                RunStrategy.Halted,
                Optional.of(domain(RunState.RUNNING, 1)),
                true,
                null,
                null,
                T0,
                Duration.ofSeconds(90)));
    assertThat(p.actions()).containsExactly(new Shutdown(name, true));
  }

  @Test
  void anUndefinedRunningDomainIsDefinedAgain() {
    DomainState transientOne =
        new DomainState(name, uid, false, RunState.RUNNING, 1, desired, desired);
    assertThat(plan(RunStrategy.Always, Optional.of(transientOne)).actions())
        .containsExactly(new Define(desired));
  }

  @Test
  void aChangeToARunningDomainIsDefinedAndWaitsForTheNextBoot() {
    DomainXml old =
        new DomainXml(
                desired.type(),
                desired.name(),
                desired.uuid(),
                desired.metadata(),
                new DomainXml.Memory(512 * 1024),
                desired.vcpu(),
                desired.os(),
                desired.features(),
                desired.cpu(),
                desired.devices())
            .withDefinitionHash();
    DomainState running = new DomainState(name, uid, true, RunState.RUNNING, 1, old, old);
    MachinePlan p = plan(RunStrategy.Always, Optional.of(running));
    assertThat(p.actions()).containsExactly(new Define(desired));
    assertThat(p.restartRequired()).isEqualTo("spec.memory");
  }

  @Test
  void libvirtsExpansionOfARunningDomainIsNoPendingRestart() {
    // libvirt shows a running host-model CPU as a custom model and adds a boot order
    DomainXml live =
        new DomainXml(
            desired.type(),
            desired.name(),
            desired.uuid(),
            desired.metadata(),
            desired.memory(),
            desired.vcpu(),
            new DomainXml.Os(
                desired.os().firmware(),
                desired.os().type(),
                desired.os().kernel(),
                desired.os().initrd(),
                desired.os().cmdline(),
                new DomainXml.Boot("hd")),
            desired.features(),
            new DomainXml.Cpu(
                "custom",
                "exact",
                new DomainXml.CpuModel("forbid", "qemu64"),
                desired.cpu().topology(),
                List.of(new DomainXml.CpuFeature("require", "hypervisor"))),
            desired.devices());
    DomainState running = new DomainState(name, uid, true, RunState.RUNNING, 1, desired, live);
    MachinePlan p = plan(RunStrategy.Always, Optional.of(running));
    assertThat(p.actions()).isEmpty();
    assertThat(p.restartRequired()).isNull();
  }

  @Test
  void theBootDeviceLibvirtAddsToAKernelBootDefinitionIsNoDrift() {
    // libvirt stores <boot dev='hd'/> for an hvm guest that names none, kernel boot included;
    // comparing without that redefined the domain on every event, forever
    KvmMachine k = Fixtures.machine("default", "web-1", "lab");
    k.getSpec().boot = new io.kvmop.api.BootSpec();
    k.getSpec().boot.kernel = "/var/lib/kvmop/images/demo/vmlinuz";
    k.getSpec().boot.cmdline = "console=ttyS0";
    DomainXml declared =
        MachineDesign.desired(k, naming, Map.of("eth0", "kvmop-default-lab-1234"), "qemu");
    assertThat(declared.os().boot()).isNull();
    DomainXml.Os os = declared.os();
    DomainXml stored =
        new DomainXml(
            declared.type(),
            declared.name(),
            declared.uuid(),
            declared.metadata(),
            declared.memory(),
            declared.vcpu(),
            new DomainXml.Os(
                os.firmware(),
                os.type(),
                os.kernel(),
                os.initrd(),
                os.cmdline(),
                new DomainXml.Boot("hd")),
            declared.features(),
            declared.cpu(),
            declared.devices());
    for (RunState state : new RunState[] {RunState.SHUTOFF, RunState.RUNNING}) {
      DomainState cur =
          new DomainState(
              name, uid, true, state, 1, stored, state == RunState.RUNNING ? stored : null);
      MachinePlan p =
          MachinePlanner.plan(
              new MachinePlanner.Input(
                  uid,
                  name,
                  declared,
                  null,
                  RunStrategy.Manual,
                  Optional.of(cur),
                  false,
                  null,
                  null,
                  T0,
                  Duration.ofSeconds(90)));
      assertThat(p.actions()).as(state.name()).isEmpty();
      assertThat(p.restartRequired()).isNull();
    }
    // a boot device someone chose is still drift
    DomainXml cdrom =
        new DomainXml(
            stored.type(),
            stored.name(),
            stored.uuid(),
            stored.metadata(),
            stored.memory(),
            stored.vcpu(),
            new DomainXml.Os(
                os.firmware(),
                os.type(),
                os.kernel(),
                os.initrd(),
                os.cmdline(),
                new DomainXml.Boot("cdrom")),
            stored.features(),
            stored.cpu(),
            stored.devices());
    MachinePlan edited =
        MachinePlanner.plan(
            new MachinePlanner.Input(
                uid,
                name,
                declared,
                null,
                RunStrategy.Manual,
                Optional.of(new DomainState(name, uid, true, RunState.SHUTOFF, 1, cdrom, null)),
                false,
                null,
                null,
                T0,
                Duration.ofSeconds(90)));
    assertThat(edited.actions()).containsExactly(new Define(declared));
  }

  @Test
  void whatLibvirtFilledInIsNoDriftOnceItsStoredFormIsMarkedButAnEditIs() {
    // libvirt stores a default CPU model for a CPU that names none; kvmop recorded that stored
    // form's hash right after defining it
    DomainXml filledIn =
        new DomainXml(
            desired.type(),
            desired.name(),
            desired.uuid(),
            desired.metadata(),
            desired.memory(),
            desired.vcpu(),
            desired.os(),
            desired.features(),
            new DomainXml.Cpu(
                "custom",
                "exact",
                new DomainXml.CpuModel("forbid", "qemu64"),
                desired.cpu().topology(),
                null),
            desired.devices());
    DomainXml marked = withOwner(filledIn, filledIn.owner().withStored(filledIn.storedHash()));
    assertThat(plan(RunStrategy.Manual, shutOff(marked)).actions()).isEmpty();
    assertThat(plan(RunStrategy.Manual, shutOff(filledIn)).actions())
        .as("without the mark, field by field")
        .containsExactly(new Define(desired));

    DomainXml edited =
        new DomainXml(
            marked.type(),
            marked.name(),
            marked.uuid(),
            marked.metadata(),
            new DomainXml.Memory(512 * 1024),
            marked.vcpu(),
            marked.os(),
            marked.features(),
            marked.cpu(),
            marked.devices());
    assertThat(plan(RunStrategy.Manual, shutOff(edited)).actions())
        .as("virsh edit keeps the mark but changes the stored form")
        .containsExactly(new Define(desired));
  }

  private Optional<DomainState> shutOff(DomainXml config) {
    return Optional.of(new DomainState(name, uid, true, RunState.SHUTOFF, 1, config, null));
  }

  private static DomainXml withOwner(DomainXml d, DomainXml.Owner owner) {
    return new DomainXml(
        d.type(),
        d.name(),
        d.uuid(),
        new DomainXml.Metadata(owner),
        d.memory(),
        d.vcpu(),
        d.os(),
        d.features(),
        d.cpu(),
        d.devices());
  }

  @Test
  void aDomainOfTheSameNameThatIsNotOursIsNeverTouched() {
    DomainState foreign =
        new DomainState(
            name,
            "11111111-2222-3333-4444-555555555555",
            true,
            RunState.RUNNING,
            1,
            desired,
            desired);
    MachinePlan p = plan(RunStrategy.Halted, Optional.of(foreign));
    assertThat(p.actions()).isEmpty();
    assertThat(p.blocker().reason()).isEqualTo("NameConflict");
    assertThat(p.blocker().message()).contains("11111111-2222-3333-4444-555555555555", "untouched");
    MachinePlan deletion =
        MachinePlanner.planDeletion(
            new MachinePlanner.Input(
                uid,
                name,
                null,
                null,
                RunStrategy.Always,
                Optional.of(foreign),
                false,
                null,
                null,
                T0,
                Duration.ofSeconds(90)));
    assertThat(deletion.actions()).isEmpty();
  }

  @Test
  void aBlockerDefinesNothing() {
    MachinePlan p =
        MachinePlanner.plan(
            new MachinePlanner.Input(
                uid,
                name,
                null,
                new Blocker("NetworkNotFound", "no lab"),
                RunStrategy.Always,
                Optional.empty(),
                false,
                null,
                null,
                T0,
                Duration.ofSeconds(90)));
    assertThat(p.actions()).isEmpty();
    assertThat(p.blocker().reason()).isEqualTo("NetworkNotFound");
  }

  @Test
  void deletionShutsDownDestroysAfterTheTimeoutAndUndefines() {
    DomainState running = domain(RunState.RUNNING, 1);
    var in =
        new MachinePlanner.Input(
            uid,
            name,
            null,
            null,
            RunStrategy.Always,
            Optional.of(running),
            false,
            null,
            null,
            T0,
            Duration.ofSeconds(5));
    assertThat(MachinePlanner.planDeletion(in).actions())
        .containsExactly(new Shutdown(name, false));
    var later =
        new MachinePlanner.Input(
            uid,
            name,
            null,
            null,
            RunStrategy.Always,
            Optional.of(running),
            false,
            T0,
            null,
            T0.plusSeconds(5),
            Duration.ofSeconds(5));
    assertThat(MachinePlanner.planDeletion(later).actions())
        .containsExactly(new Destroy(name), new Undefine(name));
    var stopped =
        new MachinePlanner.Input(
            uid,
            name,
            null,
            null,
            RunStrategy.Always,
            Optional.of(domain(RunState.SHUTOFF, 1)),
            false,
            null,
            null,
            T0,
            Duration.ofSeconds(5));
    assertThat(MachinePlanner.planDeletion(stopped).actions()).containsExactly(new Undefine(name));
  }

  @Test
  void cpuWithoutModeMatchesLibvirtsCustomWithoutModel() {
    DomainXml.Cpu none = new DomainXml.Cpu(null, null, null, new DomainXml.Topology(1, 1, 1), null);
    DomainXml.Cpu libvirts =
        new DomainXml.Cpu("custom", null, null, new DomainXml.Topology(1, 1, 1), null);
    DomainXml a = new DomainXml("qemu", "n", "u", null, null, null, null, null, none, null);
    DomainXml b = new DomainXml("qemu", "n", "u", null, null, null, null, null, libvirts, null);
    assertThat(MachineDrift.same(b, a)).isTrue();
    assertThat(List.of(a)).isNotEmpty();
  }
}
