package io.kvmop.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmop.disk.StorageConfig;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.testing.FakeHostNetwork;
import io.kvmop.testing.Shell;
import io.kvmop.testing.TestDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Standalone mode against libvirt's test driver: manifests in, libvirt and status files out. */
class StandaloneAgentIT {
  @TempDir Path dir;
  Path manifests;
  Path status;
  JnaLibvirt libvirt;

  static final String NETWORK =
      """
      apiVersion: kvmop.io/v1alpha1
      kind: KvmNetwork
      metadata: {name: lab}
      spec:
        mode: isolated
        ipv4: {cidr: 10.90.0.0/24}
      """;
  static final String MACHINE =
      """
      apiVersion: kvmop.io/v1alpha1
      kind: KvmMachine
      metadata: {name: vm}
      spec:
        memory: 256Mi
        shutdownTimeout: 1s
      """;

  @BeforeEach
  void setUp() throws Exception {
    manifests = Files.createDirectories(dir.resolve("manifests"));
    status = manifests.resolve(".status");
    libvirt = new JnaLibvirt(TestDriver.privateUri(dir));
  }

  @AfterEach
  void tearDown() {
    libvirt.close();
  }

  /** A clock the test moves: the removal grace and shutdown timeouts pass without waiting. */
  static final class TestClock extends Clock {
    volatile java.time.Instant now = java.time.Instant.now();

    void advance(java.time.Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public java.time.Instant instant() {
      return now;
    }
  }

  StandaloneAgent agent() {
    return agent(Clock.systemUTC());
  }

  StandaloneAgent agent(Clock clock) {
    return StandaloneAgent.on(
        manifests,
        status,
        io.kvmop.node.NodeCore.on("host-a", libvirt)
            .clock(clock)
            .hostNetwork(new FakeHostNetwork())
            .kvm(Optional::empty)
            .storage(storage())
            .serialLogDir(dir.resolve("logs").toString()),
        io.kvmop.machine.NodePolicy.of(new io.kvmop.api.KvmHostSpec()));
  }

  StorageConfig storage() {
    return new StorageConfig(
        "kvmop", dir.resolve("pool").toString(), Path.of("/"), java.time.Duration.ofHours(1));
  }

  @Test
  void aDirectoryMovedWithItsStatusStillOwnsWhatItCreatedAndACopyIsRefused() throws Exception {
    Files.writeString(manifests.resolve("vm.yaml"), MACHINE);
    agent().reconcileOnce();
    assertThat(libvirt.domains().listDomainNames()).containsExactly("kvmop-default-vm");

    // a copy, the original still in place: both would own the same domain
    Path copy = dir.resolve("copy");
    Shell.must("cp", "-a", manifests.toString(), copy.toString());
    Path original = manifests;
    manifests = copy;
    status = copy.resolve(".status");
    assertThatThrownBy(this::agent)
        .hasMessageContaining("was made for the manifest directory " + original.toRealPath())
        .hasMessageContaining("which still exists");
    Shell.must("rm", "-rf", copy.toString());

    // moved: the same domain is this directory's, managed and removed from there
    Path moved = dir.resolve("moved");
    Files.move(original, moved);
    manifests = moved;
    status = moved.resolve(".status");
    StandaloneAgent there = agent();
    there.reconcileOnce();
    assertThat(libvirt.domains().listDomainNames()).containsExactly("kvmop-default-vm");
    assertThat(libvirt.domains().findDomain("kvmop-default-vm").orElseThrow().running()).isTrue();
    java.time.Instant deadline = java.time.Instant.now().plusSeconds(20);
    while (!there.removeAll() && java.time.Instant.now().isBefore(deadline)) {
      Thread.sleep(200); // the guest shuts down (1 s timeout)
    }
    assertThat(libvirt.domains().listDomainNames()).isEmpty();
  }

  @Test
  void aMachineRemovedWhileKvmopWasDownHasItsVolumesReclaimedByPolicy() throws Exception {
    Files.writeString(
        manifests.resolve("vm.yaml"),
        MACHINE
            + """
              disks:
                - {name: scratch, size: 64Mi}
                - {name: keep, size: 32Mi, format: raw, reclaimPolicy: Retain}
            """);
    agent().reconcileOnce();
    assertThat(statusOf("KvmMachine", "vm")).contains("reclaimPolicy: \"Retain\"");
    List<String> volumes = libvirt.storage().listVolumes("kvmop");
    assertThat(volumes).hasSize(2);
    Files.delete(manifests.resolve("vm.yaml"));
    StandaloneAgent restarted = agent(); // knows nothing but libvirt's marks and the status files
    // the test driver's guest has no ACPI: the pass destroys it after shutdownTimeout (1 s)
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(15))
        .pollInterval(java.time.Duration.ofMillis(100))
        .until(
            () -> {
              restarted.reconcileOnce();
              return libvirt.domains().findDomain("kvmop-default-vm").isEmpty();
            });
    assertThat(libvirt.domains().findDomain("kvmop-default-vm")).isEmpty();
    assertThat(libvirt.storage().listVolumes("kvmop"))
        .singleElement()
        .asString()
        .startsWith("kvmop-default-vm-keep-")
        .endsWith(".img");
  }

  @Test
  void deleteNamesTheVolumeOfADiskRemovedFromTheSpecEarlierInsteadOfClaimingItIsGone()
      throws Exception {
    Files.writeString(
        manifests.resolve("vm.yaml"),
        MACHINE
            + """
              disks:
                - {name: scratch, size: 64Mi}
                - {name: old, size: 32Mi}
            """);
    agent().reconcileOnce();
    Files.writeString(
        manifests.resolve("vm.yaml"),
        MACHINE
            + """
              disks:
                - {name: scratch, size: 64Mi}
            """);
    StandaloneAgent a = agent();
    a.reconcileOnce();
    java.time.Instant deadline = java.time.Instant.now().plusSeconds(20);
    while (!a.removeAll() && java.time.Instant.now().isBefore(deadline)) {
      Thread.sleep(200); // the guest shuts down (1 s timeout)
    }
    assertThat(libvirt.domains().listDomainNames()).isEmpty();
    assertThat(libvirt.storage().listVolumes("kvmop"))
        .singleElement()
        .asString()
        .startsWith("kvmop-default-vm-old-");
    assertThat(a.keptVolumes())
        .singleElement()
        .asString()
        .contains("kvmop-default-vm-old-", "virsh vol-delete --pool kvmop");
  }

  String statusOf(String kind, String name) throws Exception {
    return Files.readString(status.resolve(kind).resolve("default").resolve(name + ".yaml"));
  }

  @Test
  void manifestsBecomeANetworkAndARunningMachineWithStatusFiles() throws Exception {
    Files.writeString(manifests.resolve("all.yaml"), NETWORK + "---\n" + MACHINE);
    var pass = agent().reconcileOnce();
    assertThat(pass.problems()).isEmpty();
    assertThat(statusOf("KvmNetwork", "lab")).contains("phase: \"Ready\"");
    assertThat(statusOf("KvmMachine", "vm")).contains("phase: \"Running\"", "nodeName: \"host-a\"");
    assertThat(libvirt.domains().findDomain("kvmop-default-vm").orElseThrow().running()).isTrue();
    String uid = StandaloneIds.uid(StandaloneIds.scope(manifests), "KvmMachine", "default", "vm");
    assertThat(libvirt.domains().findDomain("kvmop-default-vm").orElseThrow().uuid())
        .isEqualTo(uid);
  }

  @Test
  void badFilesAreReportedWithLineAndFieldAndTheOthersStillReconcile() throws Exception {
    Files.writeString(manifests.resolve("net.yaml"), NETWORK);
    Files.writeString(
        manifests.resolve("kind.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n");
    Files.writeString(
        manifests.resolve("syntax.yaml"),
        "apiVersion: kvmop.io/v1alpha1\nkind: KvmMachine\nmetadata: {name: [\n");
    Files.writeString(
        manifests.resolve("wide.yaml"),
        "apiVersion: kvmop.io/v1alpha1\nkind: KvmNetwork\nmetadata: {name: wide}\n"
            + "spec: {mode: isolated, ipv4: {cidr: 10.93.0.0/24}, span: {}}\n");
    Files.writeString(
        manifests.resolve("move.yaml"),
        "apiVersion: kvmop.io/v1alpha1\nkind: KvmMachineMigration\nmetadata: {name: m}\n"
            + "spec: {machine: vm}\n");
    Files.writeString(
        manifests.resolve("field.yaml"),
        "apiVersion: kvmop.io/v1alpha1\nkind: KvmMachine\nmetadata: {name: x}\nspec:\n  memroy: 1Gi\n");
    var pass = agent().reconcileOnce();
    assertThat(pass.problems())
        .extracting(Object::toString)
        .anySatisfy(p -> assertThat(p).contains("kind.yaml:1: unknown kind 'v1/Pod'"))
        .anySatisfy(p -> assertThat(p).contains("syntax.yaml:").contains("YAML syntax"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("move.yaml:1: KvmMachineMigration moves a machine between the nodes"))
        .anySatisfy(p -> assertThat(p).contains("wide.yaml:1: invalid KvmNetwork: spec.span joins"))
        .anySatisfy(
            p -> assertThat(p).contains("field.yaml:1: invalid KvmMachine: field spec.memroy"));
    assertThat(statusOf("KvmNetwork", "lab")).contains("phase: \"Ready\"");
  }

  @Test
  void anEditedManifestIsAppliedAndARemovedOneIsDeletedEvenAcrossARestart() throws Exception {
    Files.writeString(manifests.resolve("net.yaml"), NETWORK);
    Files.writeString(manifests.resolve("vm.yaml"), MACHINE);
    agent().reconcileOnce();
    String created =
        statusOf("KvmMachine", "vm")
            .lines()
            .filter(l -> l.startsWith("created:"))
            .findFirst()
            .orElseThrow();
    Files.writeString(manifests.resolve("vm.yaml"), MACHINE.replace("256Mi", "512Mi"));
    StandaloneAgent a = agent();
    a.reconcileOnce();
    assertThat(
            libvirt.domains().findDomain("kvmop-default-vm").orElseThrow().config().memory().value)
        .isEqualTo(512 * 1024);
    assertThat(statusOf("KvmMachine", "vm"))
        .as("an edit and a restart keep when the machine was first reported (kvmop get AGE)")
        .contains(created);

    // the agent is down while both manifests are removed; a new one finds what it made from the
    // marks
    Files.delete(manifests.resolve("vm.yaml"));
    Files.delete(manifests.resolve("net.yaml"));
    TestClock clock = new TestClock();
    StandaloneAgent restarted = agent(clock);
    restarted.reconcileOnce();
    assertThat(libvirt.domains().findDomain("kvmop-default-vm"))
        .as("a manifest just gone may be a file being rewritten: nothing is removed yet")
        .isPresent();
    clock.advance(StandaloneRemoval.REMOVAL_GRACE);
    for (int i = 0; i < 20 && libvirt.domains().findDomain("kvmop-default-vm").isPresent(); i++) {
      restarted.reconcileOnce();
      clock.advance(java.time.Duration.ofSeconds(1)); // the shutdown timeout
    }
    restarted.reconcileOnce();
    assertThat(libvirt.domains().findDomain("kvmop-default-vm")).isEmpty();
    assertThat(libvirt.networks().listNetworks())
        .noneMatch(n -> n.name().startsWith("kvmop-default-lab-"));
    assertThat(status.resolve("KvmMachine/default/vm.yaml")).doesNotExist();
  }

  @Test
  void aTypoInAnEditOrAFileBeingRewrittenNeverRemovesWhatTheFileDeclared() throws Exception {
    Files.writeString(manifests.resolve("all.yaml"), NETWORK + "---\n" + MACHINE);
    TestClock clock = new TestClock();
    StandaloneAgent a = agent(clock);
    a.reconcileOnce();
    String uuid = libvirt.domains().findDomain("kvmop-default-vm").orElseThrow().uuid();
    List<String> broken =
        List.of(
            // YAML syntax: nothing past the error can be read
            NETWORK + "---\n" + MACHINE.replace("memory: 256Mi", "memory: [256Mi"),
            // invalid by the schema: the machine is still named, so it is held as it is
            NETWORK + "---\n" + MACHINE.replace("memory: 256Mi", "memory: lots"),
            // an unknown field
            NETWORK + "---\n" + MACHINE.replace("memory: 256Mi", "memroy: 256Mi"),
            // the file truncated by an editor, for longer than the grace
            "");
    for (String text : broken) {
      Files.writeString(manifests.resolve("all.yaml"), text);
      for (int i = 0; i < 3; i++) {
        var pass = a.reconcileOnce();
        clock.advance(java.time.Duration.ofMinutes(1));
        if (!text.isEmpty()) {
          assertThat(pass.problems()).as(text).isNotEmpty();
        }
        if (text.isEmpty()) {
          break; // an empty file declares nothing: only the grace holds it, checked below
        }
      }
      if (!text.isEmpty()) {
        var d = libvirt.domains().findDomain("kvmop-default-vm");
        assertThat(d).as(text).isPresent();
        assertThat(d.get().running()).as(text).isTrue();
        assertThat(d.get().uuid()).isEqualTo(uuid);
        assertThat(libvirt.networks().listNetworks())
            .anyMatch(n -> n.name().startsWith("kvmop-default-lab-"));
        // and kvmop get does not pass the old status off as the edit's
        assertThat(statusOf("KvmMachine", "vm")).contains("manifestProblem:", "all.yaml:");
        assertThat(StatusTable.render(status, java.time.Instant.now()))
            .containsPattern("default/vm +Running \\(InvalidManifest\\)");
      }
      Files.writeString(manifests.resolve("all.yaml"), NETWORK + "---\n" + MACHINE);
      a.reconcileOnce();
      assertThat(statusOf("KvmMachine", "vm")).doesNotContain("manifestProblem");
    }
    // emptied and written again within the grace: the guest was never asked to shut down
    List<io.kvmop.libvirt.DomainEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    libvirt
        .events()
        .addListener(
            new io.kvmop.libvirt.LibvirtListener() {
              @Override
              public void onDomainEvent(io.kvmop.libvirt.DomainEvent e) {
                events.add(e);
              }
            });
    Files.writeString(manifests.resolve("all.yaml"), "");
    a.reconcileOnce();
    clock.advance(StandaloneRemoval.REMOVAL_GRACE.dividedBy(2));
    Files.writeString(manifests.resolve("all.yaml"), NETWORK + "---\n" + MACHINE);
    a.reconcileOnce();
    org.awaitility.Awaitility.await()
        .during(java.time.Duration.ofMillis(500))
        .atMost(java.time.Duration.ofSeconds(2))
        .until(events::isEmpty);
    assertThat(libvirt.domains().findDomain("kvmop-default-vm").orElseThrow().running()).isTrue();
    // and once it stays empty past the grace, the removal starts (the events are seen)
    Files.writeString(manifests.resolve("all.yaml"), "");
    a.reconcileOnce();
    clock.advance(StandaloneRemoval.REMOVAL_GRACE);
    a.reconcileOnce();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(5))
        .until(() -> !events.isEmpty());
  }

  @Test
  void aDomainOfTheSameNameWithoutTheStandaloneMarkIsNeverTouched() throws Exception {
    Files.writeString(manifests.resolve("vm.yaml"), MACHINE);
    agent().reconcileOnce();
    var d = libvirt.domains().findDomain("kvmop-default-vm").orElseThrow();
    libvirt.domains().destroyDomain(d.name());
    libvirt.domains().undefineDomain(d.name());
    var x = d.config();
    io.kvmop.libvirt.AsVirshDefines.define(
        libvirt,
        new io.kvmop.libvirt.xml.DomainXml(
            x.type(),
            x.name(),
            "11111111-2222-3333-4444-555555555555",
            x.metadata(),
            x.memory(),
            x.vcpu(),
            x.os(),
            x.features(),
            x.cpu(),
            x.devices()));
    Files.delete(manifests.resolve("vm.yaml"));
    TestClock clock = new TestClock();
    StandaloneAgent later = agent(clock);
    for (int i = 0; i < 3; i++) { // past the removal grace, where an owned domain would go
      later.reconcileOnce();
      clock.advance(StandaloneRemoval.REMOVAL_GRACE.plusSeconds(1));
    }
    assertThat(libvirt.domains().findDomain("kvmop-default-vm").orElseThrow().uuid())
        .isEqualTo("11111111-2222-3333-4444-555555555555");
  }

  @Test
  void theSameSequenceRemovesADomainWithTheStandaloneMark() throws Exception {
    // the positive control of the test above: same steps, but the domain is ours
    Files.writeString(manifests.resolve("vm.yaml"), MACHINE);
    agent().reconcileOnce();
    Files.delete(manifests.resolve("vm.yaml"));
    TestClock clock = new TestClock();
    StandaloneAgent later = agent(clock);
    for (int i = 0; i < 20 && libvirt.domains().findDomain("kvmop-default-vm").isPresent(); i++) {
      later.reconcileOnce();
      clock.advance(StandaloneRemoval.REMOVAL_GRACE.plusSeconds(1));
    }
    assertThat(libvirt.domains().findDomain("kvmop-default-vm")).isEmpty();
  }

  @Test
  void namesThatAreNotDnsLabelsNeverBecomePathsOrLibvirtObjects() throws Exception {
    Files.writeString(
        manifests.resolve("evil.yaml"),
        MACHINE.replace("metadata: {name: vm}", "metadata: {name: x, namespace: ../../..}")
            + "---\n"
            + MACHINE.replace("metadata: {name: vm}", "metadata: {name: \"a\\nlocal-hostname: b\"}")
            + "---\n"
            + MACHINE.replace("metadata: {name: vm}", "metadata: {name: " + "a".repeat(300) + "}")
            + "---\n"
            + MACHINE);
    var pass = agent().reconcileOnce();
    assertThat(pass.problems())
        .extracting(Object::toString)
        .anySatisfy(
            p -> assertThat(p).contains("metadata.namespace '../../..' is not a DNS-1123 label"))
        .anySatisfy(p -> assertThat(p).contains("metadata.name 'a\\u000alocal-hostname: b'"))
        .anySatisfy(
            p -> assertThat(p).contains("metadata.name is 300 characters long; at most 63"));
    assertThat(libvirt.domains().listDomainNames()).containsExactly("kvmop-default-vm");
    try (var files = Files.walk(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.equals("x.yaml"));
    }
  }

  @Test
  void nothingUnderTheStatusDirectoryFollowsASymlink() throws Exception {
    Path victim = Files.createDirectories(dir.resolve("victim/default"));
    Files.writeString(victim.resolve("lab.yaml"), "precious");
    Files.createDirectories(status);
    Files.createSymbolicLink(status.resolve("KvmNetwork"), victim.getParent());
    Files.writeString(manifests.resolve("all.yaml"), NETWORK + "---\n" + MACHINE);
    StandaloneAgent a = agent();
    a.reconcileOnce();
    assertThat(statusOf("KvmMachine", "vm")).as("the others still get status").contains("Running");
    Files.delete(manifests.resolve("all.yaml"));
    a.removeAll();
    assertThat(victim.resolve("lab.yaml")).hasContent("precious");
    assertThat(victim).isDirectory();
  }

  @Test
  void aManifestSymlinkLeadingOutsideTheDirectoryIsNotRead() throws Exception {
    Path outside = Files.writeString(dir.resolve("outside.yaml"), MACHINE);
    Files.createSymbolicLink(manifests.resolve("vm.yaml"), outside);
    var pass = agent().reconcileOnce();
    assertThat(pass.problems())
        .extracting(Object::toString)
        .anySatisfy(p -> assertThat(p).contains("vm.yaml", "symlink leading outside"));
    assertThat(libvirt.domains().listDomainNames()).isEmpty();
  }

  @Test
  void aResourceDeclaredTwiceIsHeldNotAppliedEitherWay() throws Exception {
    Files.writeString(manifests.resolve("a.yaml"), MACHINE);
    StandaloneAgent a = agent();
    a.reconcileOnce();
    long before =
        libvirt.domains().findDomain("kvmop-default-vm").orElseThrow().config().memory().value;
    Files.writeString(manifests.resolve("b.yaml"), MACHINE.replace("256Mi", "512Mi"));
    for (int i = 0; i < 5; i++) {
      var pass = a.reconcileOnce();
      assertThat(pass.problems())
          .extracting(Object::toString)
          .anySatisfy(
              p -> assertThat(p).contains("KvmMachine/default/vm is declared more than once"));
    }
    assertThat(
            libvirt.domains().findDomain("kvmop-default-vm").orElseThrow().config().memory().value)
        .as("neither document wins: what was applied stays")
        .isEqualTo(before);
    assertThat(statusOf("KvmMachine", "vm")).contains("declared more than once");
    Files.delete(manifests.resolve("a.yaml"));
    a.reconcileOnce();
    assertThat(
            libvirt.domains().findDomain("kvmop-default-vm").orElseThrow().config().memory().value)
        .isEqualTo(512 * 1024);
  }
}
