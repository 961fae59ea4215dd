package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.condition;
import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.KvmMachine;
import io.kvmop.api.MachinePhase;
import io.kvmop.api.NetworkMode;
import io.kvmop.api.RunStrategy;
import io.kvmop.api.VirtType;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.testing.Fixtures;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** KvmMachine through the operator: mock API + libvirt test driver. */
class KvmMachineIT extends NetworkItBase {
  static final String DOMAIN = "kvmop-default-vm";

  KvmMachine vm(String... networks) {
    KvmMachine m = Fixtures.machine("default", "vm", networks);
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-a";
    m.getSpec().memory = "256Mi";
    m.getSpec().shutdownTimeout = "2s";
    return m;
  }

  /** A made-up host whose CPU has no vmx/svm: the verdict is "no KVM", on any machine. */
  @Override
  io.kvmop.host.HostFiles hostFiles() throws java.io.IOException {
    java.nio.file.Path root = java.nio.file.Files.createDirectories(dir.resolve("host"));
    java.nio.file.Files.createDirectories(root.resolve("proc"));
    java.nio.file.Files.writeString(
        root.resolve("proc/cpuinfo"), "processor\t: 0\nflags\t\t: fpu vme de pse tsc msr sse2\n");
    return new io.kvmop.host.HostFiles(root, "libvirt-qemu");
  }

  java.util.List<io.fabric8.kubernetes.api.model.Event> events(String name) {
    return client.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  Optional<DomainState> domain() {
    return libvirt.domains().findDomain(DOMAIN);
  }

  @Test
  void theNodesFinalizerRemovedByATenantIsPutBackAtOnce() {
    k8s.create(vm());
    k8s.awaitMachine("vm", "Ready", true, "Running", 30);
    io.kvmop.testing.UserEdits.edit(
        client.resources(KvmMachine.class).inNamespace("default").withName("vm"),
        m -> {
          m.getMetadata().setFinalizers(new java.util.ArrayList<>());
          return m;
        });
    within(10)
        .until(
            () ->
                k8s.machine("vm")
                    .getMetadata()
                    .getFinalizers()
                    .contains("machine.kvmop.io/node-a"));
    client.resources(KvmMachine.class).inNamespace("default").withName("vm").delete();
    within(30).until(() -> k8s.machine("vm") == null);
    assertThat(domain()).as("the deletion removed the domain").isEmpty();
  }

  @Test
  void aLabelMovedToANodeWithNoAgentIsSetBackAndDeletionStillRemovesEverything() {
    k8s.create(vm());
    k8s.awaitMachine("vm", "Ready", true, "Running", 30);
    io.kvmop.testing.UserEdits.edit(
        client.resources(KvmMachine.class).inNamespace("default").withName("vm"),
        m -> {
          m.getMetadata().getLabels().put("kvmop.io/node", "node-nowhere");
          return m;
        });
    within(20)
        .until(
            () ->
                "node-a".equals(k8s.machine("vm").getMetadata().getLabels().get("kvmop.io/node")));
    assertThat(domain()).get().matches(DomainState::running, "still running");
    // moved again, and deleted at once: the node that has the domain still removes it
    io.kvmop.testing.UserEdits.edit(
        client.resources(KvmMachine.class).inNamespace("default").withName("vm"),
        m -> {
          m.getMetadata().getLabels().put("kvmop.io/node", "node-nowhere");
          return m;
        });
    client.resources(KvmMachine.class).inNamespace("default").withName("vm").delete();
    within(30).until(() -> k8s.machine("vm") == null);
    assertThat(domain()).isEmpty();
  }

  @Test
  void machinesKvmopRefusesHoldNoCapacityAndAShortfallNamesWhoHoldsIt() {
    var host = k8s.awaitHost(h -> h.getStatus() != null && h.getStatus().allocatable != null, 30);
    int cpus = host.getStatus().allocatable.cpus;
    for (String name : java.util.List.of("refused-1", "refused-2")) {
      KvmMachine bad = Fixtures.machine("default", name);
      bad.getMetadata().setUid(null);
      bad.getMetadata().setGeneration(null);
      bad.getSpec().nodeName = "node-a";
      bad.getSpec().memory = "128Mi";
      bad.getSpec().cpu = new io.kvmop.api.CpuSpec();
      bad.getSpec().cpu.sockets = cpus; // the whole node, each
      bad.getSpec().shutdownTimeout = "forever"; // refused: InvalidSpec
      k8s.create(bad);
      k8s.awaitMachine(name, "Ready", false, "InvalidSpec", 30);
    }
    k8s.awaitHost(h -> h.getStatus().allocated != null && h.getStatus().allocated.cpus == 0, 30);

    KvmMachine first = vm();
    first.getMetadata().setName("first");
    first.getSpec().cpu = new io.kvmop.api.CpuSpec();
    first.getSpec().cpu.sockets = cpus;
    k8s.create(first);
    k8s.awaitMachine("first", "Ready", true, "Running", 30);
    // one more that does not fit is told who holds the node, and in what phase
    KvmMachine more = vm();
    more.getMetadata().setName("more");
    more.getSpec().cpu = new io.kvmop.api.CpuSpec();
    more.getSpec().cpu.sockets = 1;
    k8s.create(more);
    KvmMachine waiting = k8s.awaitMachine("more", "Scheduled", false, "InsufficientCapacity", 30);
    assertThat(condition(waiting, "Scheduled").orElseThrow().getMessage())
        .contains("held by 1 machine: default/first (")
        .doesNotContain("refused-1")
        .doesNotContain("running machines");
  }

  @Test
  void aMachineIsDefinedStartedAndReady() {
    KvmMachine created = k8s.create(vm());
    KvmMachine m = k8s.awaitMachine("vm", "Ready", true, "Running", 15);
    assertThat(m.getStatus().phase).isEqualTo(MachinePhase.Running);
    assertThat(m.getStatus().nodeName).isEqualTo("node-a");
    assertThat(m.getStatus().domainName).isEqualTo(DOMAIN);
    assertThat(m.getStatus().domainUUID).isEqualTo(created.getMetadata().getUid());
    assertThat(m.getStatus().serialLogPath).endsWith("/default/vm.log");
    assertThat(m.getMetadata().getFinalizers()).contains("machine.kvmop.io/node-a");
    DomainState d = domain().orElseThrow();
    assertThat(d.running()).isTrue();
    assertThat(d.uuid()).isEqualTo(created.getMetadata().getUid());
    assertThat(d.config().metadata().owner().name()).isEqualTo("vm");
    assertThat(m.getStatus().virtType).as("virtType auto on a host without KVM").isEqualTo("qemu");
    assertThat(d.config().type()).isEqualTo("qemu");

    libvirt.domains().destroyDomain(DOMAIN); // a few more reconciles: events only on transitions
    k8s.awaitMachine("vm", "Ready", true, "Running", 15);
    within(5)
        .until(
            () -> events("vm").stream().filter(e -> e.getReason().equals("Started")).count() == 2);
    assertThat(events("vm"))
        .filteredOn(e -> e.getReason().equals("Started"))
        .anySatisfy(e -> assertThat(e.getMessage()).contains("it was shut off (destroyed)"));
    assertThat(events("vm")).filteredOn(e -> e.getReason().equals("Defined")).hasSize(1);
    assertThat(events("vm")).filteredOn(e -> e.getReason().equals("Running")).hasSize(1);
    assertThat(events("vm"))
        .allSatisfy(
            e -> {
              assertThat(e.getInvolvedObject().getKind()).isEqualTo("KvmMachine");
              assertThat(e.getSource().getHost()).isEqualTo("node-a");
            });
  }

  @Test
  void itWaitsForItsNetworkThenReportsItWaitsForAnAddress() {
    k8s.create(vm("lab"));
    KvmMachine waiting = k8s.awaitMachine("vm", "NetworkReady", false, "NetworkNotFound", 15);
    assertThat(condition(waiting, "Ready").orElseThrow().getMessage())
        .contains("KvmNetwork default/lab does not exist");
    assertThat(domain()).as("nothing is defined while the network is missing").isEmpty();

    k8s.create("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.74.0.0/24"));
    KvmMachine m = k8s.awaitMachine("vm", "IPAssigned", false, "WaitingForIP", 15);
    assertThat(m.getStatus().phase).isEqualTo(MachinePhase.Starting);
    assertThat(condition(m, "NetworkReady").orElseThrow().getStatus()).isEqualTo("True");
    DomainXml.Interface nic = domain().orElseThrow().config().devices().interfaces().get(0);
    assertThat(nic.source().network()).isEqualTo(k8s.get("lab").getStatus().libvirtName);
    assertThat(nic.mac().address()).isEqualTo(m.getStatus().interfaces.get(0).mac);
    // the network waits for the machine before it can be deleted
    k8s.delete(k8s.get("lab"));
    within(10)
        .until(
            () ->
                condition(k8s.get("lab"), "InUse")
                    .filter(c -> "True".equals(c.getStatus()))
                    .isPresent());
  }

  @Test
  void aDestroyedMachineRunsAgainAndAnUndefinedOneIsDefinedAgain() {
    k8s.create(vm());
    k8s.awaitMachine("vm", "Ready", true, "Running", 15);
    libvirt.domains().destroyDomain(DOMAIN);
    within(10).until(() -> domain().map(DomainState::running).orElse(false));
    libvirt.domains().undefineDomain(DOMAIN);
    within(10).until(() -> domain().map(DomainState::persistent).orElse(false));
    assertThat(domain().orElseThrow().running()).isTrue();
  }

  @Test
  void rerunOnFailureLeavesAGuestThatShutItselfDownStopped() {
    KvmMachine m = vm();
    m.getSpec().runStrategy = RunStrategy.RerunOnFailure;
    k8s.create(m);
    k8s.awaitMachine("vm", "Ready", true, "Running", 15);
    libvirt.domains().shutdownDomain(DOMAIN, false);
    KvmMachine stopped = k8s.awaitMachine("vm", "Ready", true, "Stopped", 10);
    assertThat(stopped.getStatus().phase).isEqualTo(MachinePhase.Stopped);
    assertThat(domain().orElseThrow().running()).isFalse();
    libvirt.domains().startDomain(DOMAIN);
    libvirt.domains().destroyDomain(DOMAIN);
    within(10).until(() -> domain().map(DomainState::running).orElse(false));
  }

  @Test
  void haltedStopsTheMachineAndAlwaysStartsItAgain() {
    k8s.create(vm());
    KvmMachine m = k8s.awaitMachine("vm", "Ready", true, "Running", 15);
    m.getSpec().runStrategy = RunStrategy.Halted;
    k8s.updateSpec(m);
    KvmMachine halted = k8s.awaitMachine("vm", "Ready", true, "Halted", 15);
    assertThat(halted.getStatus().phase).isEqualTo(MachinePhase.Stopped);
    assertThat(domain().orElseThrow().running()).isFalse();
    halted.getSpec().runStrategy = RunStrategy.Always;
    k8s.updateSpec(halted);
    k8s.awaitMachine("vm", "Ready", true, "Running", 15);
    assertThat(domain().orElseThrow().running()).isTrue();
  }

  @Test
  void aChangeThatNeedsABootIsDefinedAndReportedAsRestartRequired() {
    k8s.create(vm());
    KvmMachine m = k8s.awaitMachine("vm", "Ready", true, "Running", 15);
    m.getSpec().memory = "512Mi";
    k8s.updateSpec(m);
    KvmMachine after = k8s.awaitMachine("vm", "RestartRequired", true, "DefinitionChanged", 15);
    assertThat(condition(after, "RestartRequired").orElseThrow().getMessage()).contains("memory");
    assertThat(domain().orElseThrow().config().memory())
        .isEqualTo(new DomainXml.Memory(512 * 1024));
    assertThat(domain().orElseThrow().live().memory()).isEqualTo(new DomainXml.Memory(256 * 1024));
    libvirt
        .domains()
        .shutdownDomain(
            DOMAIN, false); // the guest reboots: Always starts it with the new definition
    k8s.awaitMachine("vm", "RestartRequired", false, "UpToDate", 15);
    assertThat(domain().orElseThrow().live().memory()).isEqualTo(new DomainXml.Memory(512 * 1024));
  }

  @Test
  void aDefinitionEditedByHandIsRedefinedAndSaysSo() {
    k8s.create(vm());
    k8s.awaitMachine("vm", "Ready", true, "Running", 15);
    DomainXml d = domain().orElseThrow().config();
    io.kvmop.libvirt.AsVirshDefines.define(
        libvirt,
        new DomainXml(
            d.type(),
            d.name(),
            d.uuid(),
            d.metadata(),
            new DomainXml.Memory(1024 * 1024),
            d.vcpu(),
            d.os(),
            d.features(),
            d.cpu(),
            d.devices()));
    KvmMachine m = k8s.awaitMachine("vm", "Redefined", true, "ChangedOutsideKvmop", 15);
    assertThat(condition(m, "Redefined").orElseThrow().getMessage())
        .contains("changed outside kvmop (memory)", "redefined as declared");
    assertThat(domain().orElseThrow().config().memory())
        .isEqualTo(new DomainXml.Memory(256 * 1024));
    assertThat(condition(m, "RestartRequired").orElseThrow().getStatus()).isEqualTo("False");
  }

  @Test
  void anInterfaceOnALibvirtNetworkKvmopDoesNotManageWaitsForItAndNeverTouchesIt() {
    KvmMachine m = vm();
    io.kvmop.api.MachineInterface ext = new io.kvmop.api.MachineInterface("eth0", null);
    ext.libvirtNetwork = "ext";
    m.getSpec().interfaces.add(ext);
    k8s.create(m);
    KvmMachine refused = k8s.awaitMachine("vm", "NetworkReady", false, "NetworkNotPermitted", 15);
    assertThat(condition(refused, "NetworkReady").orElseThrow().getMessage())
        .contains("libvirt network ext", "KvmHost node-a spec.permittedLibvirtNetworks");
    permitLibvirtNetworks("ext");
    KvmMachine missing = k8s.awaitMachine("vm", "NetworkReady", false, "NetworkNotFound", 15);
    assertThat(condition(missing, "NetworkReady").orElseThrow().getMessage())
        .contains("libvirt network ext does not exist on node node-a");
    assertThat(domain()).isEmpty();

    io.kvmop.libvirt.xml.NetworkXml theirs =
        new io.kvmop.libvirt.xml.NetworkXml(
            "ext",
            "22222222-2222-3333-4444-555555555555",
            null,
            null,
            new io.kvmop.libvirt.xml.NetworkXml.Bridge("virbr7", null, null),
            null,
            null,
            null,
            null,
            null);
    libvirt.networks().defineNetwork(theirs);
    KvmMachine inactive = k8s.awaitMachine("vm", "NetworkReady", false, "NetworkNotReady", 15);
    assertThat(condition(inactive, "NetworkReady").orElseThrow().getMessage())
        .contains("virsh net-start ext");
    var before = libvirt.networks().findNetwork("ext").orElseThrow();

    libvirt.networks().startNetwork("ext");
    k8s.awaitMachine("vm", "NetworkReady", true, "Ready", 15);
    assertThat(domain().orElseThrow().config().devices().interfaces().get(0).source().network())
        .isEqualTo("ext");
    var after = libvirt.networks().findNetwork("ext").orElseThrow();
    assertThat(after.config()).isEqualTo(before.config());
    assertThat(after.autostart()).isFalse();
  }

  private void permitLibvirtNetworks(String... names) {
    io.kvmop.api.KvmHost h = k8s.awaitHost(x -> true, 15);
    h.getSpec().permittedLibvirtNetworks = java.util.List.of(names);
    k8s.updateSpec(h);
  }

  @Test
  void anotherNamespacesPrivateNetworkIsNeverReachableByItsLibvirtName() {
    var theirs =
        k8s.client
            .resource(
                Fixtures.network(
                    "other", "private", null, Fixtures.spec(NetworkMode.ISOLATED, "10.75.0.0/24")))
            .create();
    within(15)
        .until(
            () ->
                libvirt.networks().listNetworks().stream()
                    .anyMatch(n -> n.name().startsWith("kvmop-other-private-") && n.active()));
    String libvirtName =
        io.kvmop.network.NetworkRealizer.naming(k8s.client.resource(theirs).get()).libvirtName();
    permitLibvirtNetworks(libvirtName); // even a careless admin listing it does not open it
    KvmMachine m = vm();
    io.kvmop.api.MachineInterface nic = new io.kvmop.api.MachineInterface("eth0", null);
    nic.libvirtNetwork = libvirtName;
    m.getSpec().interfaces.add(nic);
    k8s.create(m);
    KvmMachine refused = k8s.awaitMachine("vm", "NetworkReady", false, "NetworkNotPermitted", 15);
    assertThat(condition(refused, "NetworkReady").orElseThrow().getMessage())
        .contains("belongs to a KvmNetwork");
    assertThat(domain()).isEmpty();
  }

  @Test
  void deletionRemovesTheDomain() {
    KvmMachine created = k8s.create(vm());
    k8s.awaitMachine("vm", "Ready", true, "Running", 15);
    k8s.delete(created);
    within(15).until(() -> k8s.machine("vm") == null);
    assertThat(domain()).isEmpty();
  }

  @Test
  void aDomainOfTheSameNameWithoutOurMarkIsLeftAlone() {
    KvmMachine other = vm();
    other.getMetadata().setUid("11111111-2222-3333-4444-555555555555");
    var naming =
        io.kvmop.machine.MachineNaming.of("default", "vm", other.getMetadata().getUid(), "/tmp");
    DomainXml foreign =
        io.kvmop.machine.MachineDesign.desired(other, naming, java.util.Map.of(), "qemu");
    io.kvmop.libvirt.AsVirshDefines.define(
        libvirt,
        new DomainXml(
            foreign.type(),
            foreign.name(),
            foreign.uuid(),
            null,
            foreign.memory(),
            foreign.vcpu(),
            foreign.os(),
            foreign.features(),
            foreign.cpu(),
            foreign.devices()));
    libvirt.domains().startDomain(DOMAIN);
    KvmMachine created = k8s.create(vm());
    KvmMachine m = k8s.awaitMachine("vm", "Ready", false, "NameConflict", 15);
    assertThat(m.getStatus().phase).isEqualTo(MachinePhase.Failed);
    k8s.delete(created);
    within(15).until(() -> k8s.machine("vm") == null);
    DomainState after = domain().orElseThrow();
    assertThat(after.uuid()).isEqualTo("11111111-2222-3333-4444-555555555555");
    assertThat(after.running()).isTrue();
  }

  @Test
  void badInputIsReportedPreciselyAndDefinesNothing() {
    KvmMachine m = vm();
    m.getSpec().memory = "100Ti";
    k8s.create(m);
    KvmMachine refused = k8s.awaitMachine("vm", "Ready", false, "InvalidSpec", 15);
    assertThat(condition(refused, "Ready").orElseThrow().getMessage())
        .startsWith("spec.memory 100Ti is more than the node has");
    assertThat(domain()).isEmpty();
    within(5).until(() -> !events("vm").isEmpty());
    assertThat(events("vm"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getReason()).isEqualTo("InvalidSpec");
              assertThat(e.getMessage()).startsWith("spec.memory 100Ti");
            });
  }

  @Test
  void virtTypeKvmOnAHostWithoutUsableKvmIsRefusedWithTheFix() {
    KvmMachine m = vm();
    m.getSpec().virtType = VirtType.KVM;
    k8s.create(m);
    KvmMachine refused = k8s.awaitMachine("vm", "Ready", false, "KVMUnavailable", 15);
    assertThat(condition(refused, "Ready").orElseThrow().getMessage())
        .contains(
            "cpuVirtualizationFlags",
            "no vmx/svm",
            "fix: enable VT-x/AMD-V",
            "virtType auto or qemu");
    assertThat(condition(refused, "KVMAvailable").orElseThrow().getStatus()).isEqualTo("False");
    assertThat(domain()).isEmpty();
  }

  @Test
  void aMachineWithoutNodeNameIsPlacedOnANodeThatFitsOrSaysWhyNone() {
    KvmMachine m = vm();
    m.getSpec().nodeName = null;
    k8s.create(m);
    KvmMachine placed = k8s.awaitMachine("vm", "Scheduled", true, "Placed", 15);
    assertThat(placed.getMetadata().getLabels()).containsEntry("kvmop.io/node", "node-a");
    assertThat(placed.getStatus().nodeName).isEqualTo("node-a");
    within(15).until(() -> domain().isPresent());

    KvmMachine big = vm();
    big.getMetadata().setName("big");
    big.getSpec().nodeName = null;
    big.getSpec().memory = "64Ti";
    k8s.create(big);
    KvmMachine pending = k8s.awaitMachine("big", "Ready", false, "Unschedulable", 15);
    assertThat(pending.getStatus().phase).isEqualTo(MachinePhase.Pending);
    assertThat(condition(pending, "Scheduled").orElseThrow().getMessage())
        .contains("no node fits this machine: node-a:", "memory free", "67108864Mi wanted");
    assertThat(pending.getMetadata().getLabels()).doesNotContainKey("kvmop.io/node");
    assertThat(libvirt.domains().findDomain("kvmop-default-big")).isEmpty();
  }
}
