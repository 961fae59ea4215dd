package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kvmop.api.DrainPhase;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.KvmMachineMigrationSpec;
import io.kvmop.api.MigrationPhase;
import io.kvmop.cluster.Finalizers;
import io.kvmop.testing.FakeHostNetwork;
import io.kvmop.testing.FakeLibvirt;
import io.kvmop.testing.FakeMigrations;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.MigrationSteps;
import io.kvmop.testing.OperatorHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Live migration between two agents (node-a, node-b) on in-memory libvirts, against one mock API:
 * the hand-over of the machine resource, the copies on both nodes, refusals, failures, the timeout,
 * and a source agent killed during the copy.
 */
@EnableKubernetesMockClient(crud = true)
class MigrationIT {
  static final String URI_A = "qemu+unix:///system?socket=/fake/a/libvirt-sock";
  static final String URI_B = "qemu+unix:///system?socket=/fake/b/libvirt-sock";
  KubernetesClient client;
  FakeLibvirt libvirtA;
  FakeLibvirt libvirtB;
  OperatorHarness a;
  OperatorHarness b;

  @BeforeEach
  void twoNodes() {
    libvirtA = new FakeLibvirt();
    libvirtB = new FakeLibvirt();
    FakeMigrations.DESTINATIONS.put(URI_A, libvirtA);
    FakeMigrations.DESTINATIONS.put(URI_B, libvirtB);
    host("node-a", false);
    host("node-b", true); // no machine is placed there before a test says so
    a = agent("node-a", libvirtA, URI_A);
    b = agent("node-b", libvirtB, URI_B);
  }

  OperatorHarness agent(String node, FakeLibvirt libvirt, String uri) {
    return new OperatorHarness(
            client, node, libvirt, new FakeHostNetwork(), Map.of("KVMOP_MIGRATION_URI", uri))
        .start();
  }

  void host(String node, boolean cordoned) {
    MigrationSteps.host(client, node, spec -> spec.cordoned = cordoned);
  }

  void uncordon(String node) {
    MigrationSteps.uncordon(client, node);
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    FakeMigrations.DESTINATIONS.clear();
  }

  KvmMachine runningOnA(String name) {
    KvmMachine m = Fixtures.machine("default", name);
    m.getMetadata().setUid(null);
    m.getSpec().disks = new java.util.ArrayList<>(List.of(Fixtures.disk("data", null, "64Mi")));
    a.create(m);
    KvmMachine up = a.awaitMachine(name, "Running", true, "Running", 30);
    assertThat(up.getStatus().nodeName).isEqualTo("node-a");
    uncordon("node-b");
    return up;
  }

  KvmMachineMigration migrate(String name, String machine, String target) {
    return migrate(name, machine, target, "10m");
  }

  KvmMachineMigration migrate(String name, String machine, String target, String timeout) {
    return MigrationSteps.migrate(client, name, machine, target, spec -> spec.timeout = timeout);
  }

  KvmMachineMigration awaitPhase(String name, MigrationPhase phase) {
    return MigrationSteps.awaitPhase(client, name, phase, 30, () -> "");
  }

  KvmMachineMigration migration(String name) {
    return MigrationSteps.migration(client, name);
  }

  String fallback(String name) {
    var g = migration(name);
    return g == null || g.getStatus() == null ? null : g.getStatus().fallback;
  }

  static String reason(KvmMachineMigration g) {
    return MigrationSteps.ready(g).getReason();
  }

  static String message(KvmMachineMigration g) {
    return MigrationSteps.ready(g).getMessage();
  }

  List<String> volumes(FakeLibvirt l) {
    return l.storage.listVolumes(io.kvmop.testing.SystemLeftovers.POOL);
  }

  @Test
  void aRunningMachineMovesAndTheTargetNodeOwnsItAfterwards() {
    KvmMachine m = runningOnA("mover");
    String domain = m.getStatus().domainName;
    assertThat(volumes(libvirtA)).anyMatch(v -> v.startsWith(domain + "-data-"));

    migrate("move-1", "mover", null);
    KvmMachineMigration done = awaitPhase("move-1", MigrationPhase.Succeeded);

    assertThat(done.getStatus().sourceNode).isEqualTo("node-a");
    assertThat(done.getStatus().targetNode).as("chosen by placement").isEqualTo("node-b");
    assertThat(done.getStatus().sourceCleaned).isTrue();
    assertThat(reason(done)).isEqualTo("Migrated");
    assertThat(libvirtA.domains().findDomain(domain)).as("gone from the source").isEmpty();
    assertThat(libvirtB.domains().findDomain(domain).orElseThrow().running()).isTrue();
    assertThat(volumes(libvirtA))
        .as("no copy left on the source")
        .noneMatch(v -> v.startsWith(domain));
    assertThat(volumes(libvirtB)).anyMatch(v -> v.startsWith(domain + "-data-"));
    KvmMachine moved = b.awaitMachine("mover", "Running", true, "Running", 30);
    assertThat(moved.getMetadata().getLabels()).containsEntry("kvmop.io/node", "node-b");
    assertThat(moved.getStatus().nodeName).isEqualTo("node-b");
    within(10)
        .until(
            () ->
                b.machine("mover")
                    .getMetadata()
                    .getFinalizers()
                    .equals(List.of(Finalizers.machine("node-b"))));
    assertThat(libvirtB.calls)
        .as("node-b adopted the running domain")
        .doesNotContain("start domain " + domain);

    // deleting it now removes it from node-b, where it runs
    client.resource(moved).delete();
    within(30).until(() -> b.machine("mover") == null);
    assertThat(libvirtB.domains().findDomain(domain)).isEmpty();
    assertThat(volumes(libvirtB)).noneMatch(v -> v.startsWith(domain));
  }

  @Test
  void aRefusedCopyLeavesTheMachineRunningWhereItWasAndNothingOnTheTarget() {
    KvmMachine m = runningOnA("stayer");
    String domain = m.getStatus().domainName;
    FakeMigrations.DESTINATIONS.remove(URI_B); // node-b's libvirtd does not answer the source's

    migrate("move-2", "stayer", "node-b");
    KvmMachineMigration failed = awaitPhase("move-2", MigrationPhase.Failed);

    assertThat(reason(failed)).isEqualTo("MigrationFailed");
    assertThat(message(failed))
        .contains("unable to connect", "keeps running on node node-a", "status.migration.uri");
    assertThat(libvirtA.domains().findDomain(domain).orElseThrow().running()).isTrue();
    within(10).until(() -> Boolean.TRUE.equals(migration("move-2").getStatus().targetCleaned));
    assertThat(volumes(libvirtB))
        .as("what node-b prepared is gone")
        .noneMatch(v -> v.startsWith(domain));
    KvmMachine after = a.machine("stayer");
    assertThat(after.getMetadata().getLabels()).containsEntry("kvmop.io/node", "node-a");
    assertThat(after.getMetadata().getFinalizers()).containsExactly(Finalizers.machine("node-a"));
    // and node-a still manages it: a change reaches its domain
    assertThat(a.awaitMachine("stayer", "Running", true, "Running", 10).getStatus().nodeName)
        .isEqualTo("node-a");
  }

  @Test
  void pastItsTimeoutTheCopyIsCancelledAndTheMachineKeepsRunning() {
    KvmMachine m = runningOnA("slow");
    libvirtA.migrations.hold();
    migrate("move-3", "slow", "node-b", "2s");
    KvmMachineMigration copying = awaitPhase("move-3", MigrationPhase.Migrating);
    within(10).until(() -> migration("move-3").getStatus().progress != null);
    assertThat(migration("move-3").getStatus().progress.dataRemainingBytes).isEqualTo(100L << 20);
    KvmMachineMigration failed = awaitPhase("move-3", MigrationPhase.Failed);
    assertThat(reason(failed)).isEqualTo("MigrationTimedOut");
    assertThat(message(failed)).contains("cancelled after spec.timeout 2s");
    assertThat(libvirtA.domains().findDomain(m.getStatus().domainName).orElseThrow().running())
        .isTrue();
    assertThat(copying.getStatus().attempts).isEqualTo(1);
  }

  @Test
  void whatCannotMoveIsRefusedWithTheReasonAndNothingIsTouched() {
    runningOnA("free");
    KvmMachine pinned = Fixtures.machine("default", "pinned");
    pinned.getMetadata().setUid(null);
    pinned.getSpec().nodeName = "node-a";
    a.create(pinned);
    a.awaitMachine("pinned", "Running", true, "Running", 30);
    migrate("move-4", "pinned", null);
    KvmMachineMigration refused = awaitPhase("move-4", MigrationPhase.Failed);
    assertThat(reason(refused)).isEqualTo("NotMigratable");
    assertThat(message(refused)).contains("spec.nodeName pins it to node node-a");

    migrate("move-5", "nobody", null);
    assertThat(reason(awaitPhase("move-5", MigrationPhase.Failed))).isEqualTo("MachineNotFound");

    migrate("move-6", "free", "node-c");
    KvmMachineMigration nowhere = awaitPhase("move-6", MigrationPhase.Failed);
    assertThat(reason(nowhere)).isEqualTo("NoTargetNode");
    assertThat(message(nowhere)).contains("node-c has no kvmop agent");
    assertThat(libvirtB.calls).noneMatch(c -> c.startsWith("migrate"));
  }

  @Test
  void aSourceAgentKilledDuringTheCopyFinishesTheHandOverWhenItComesBack() {
    KvmMachine m = runningOnA("survivor");
    String domain = m.getStatus().domainName;
    libvirtA.migrations.hold();
    migrate("move-7", "survivor", "node-b");
    awaitPhase("move-7", MigrationPhase.Migrating);
    a.close(); // both agents die; libvirt's copy goes on without them
    b.close();
    libvirtA.migrations.release();
    within(10).until(() -> libvirtB.domains().findDomain(domain).isPresent());
    a = agent("node-a", libvirtA, URI_A);
    // the domain left node-a and nobody has confirmed it on node-b yet: node-a waits, and never
    // starts the machine again (its disks are still here)
    org.awaitility.Awaitility.await()
        .during(java.time.Duration.ofSeconds(3))
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> libvirtA.domains().findDomain(domain).isEmpty());
    assertThat(migration("move-7").getStatus().phase).isEqualTo(MigrationPhase.Migrating);
    assertThat(volumes(libvirtA))
        .as("nothing deleted before node-b confirms")
        .anyMatch(v -> v.startsWith(domain));
    b = agent("node-b", libvirtB, URI_B);
    KvmMachineMigration done = awaitPhase("move-7", MigrationPhase.Succeeded);
    assertThat(done.getStatus().targetConfirmed).isTrue();
    assertThat(libvirtA.domains().findDomain(domain))
        .as("never started again on the source")
        .isEmpty();
    assertThat(volumes(libvirtA)).noneMatch(v -> v.startsWith(domain));
    assertThat(b.awaitMachine("survivor", "Running", true, "Running", 30).getStatus().nodeName)
        .isEqualTo("node-b");
  }

  @Test
  void aSourceAgentThatNeverComesBackLeavesTheArrivedGuestToItsTarget() {
    KvmMachine m = runningOnA("orphan");
    String domain = m.getStatus().domainName;
    libvirtA.migrations.hold();
    migrate("move-9", "orphan", "node-b");
    awaitPhase("move-9", MigrationPhase.Migrating);
    a.close(); // node-a's agent is gone for good; libvirt's copy goes on and lands on node-b
    libvirtA.migrations.release();
    within(10).until(() -> libvirtB.domains().findDomain(domain).isPresent());
    // nobody but the target is left to finish it: node-b takes the running guest over
    KvmMachineMigration done =
        MigrationSteps.awaitPhase(client, "move-9", MigrationPhase.Succeeded, 60, () -> "");
    assertThat(
            done.getStatus().conditions.stream()
                .filter(c -> c.getType().equals("Ready"))
                .findFirst()
                .orElseThrow()
                .getMessage())
        .contains("node-a's agent stopped renewing its Lease", "takes machine orphan over");
    KvmMachine moved = b.awaitMachine("orphan", "Running", true, "Running", 30);
    assertThat(moved.getStatus().nodeName).isEqualTo("node-b");
    assertThat(moved.getMetadata().getLabels()).containsEntry("kvmop.io/node", "node-b");
    assertThat(libvirtB.domains().findDomain(domain).orElseThrow().running()).isTrue();
    a = agent("node-a", libvirtA, URI_A); // back, for the test's end: its domain left long ago
  }

  @Test
  void kvmopMigrateFollowsItToItsEndAndSaysHowItEnded() {
    runningOnA("cli");
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int exit =
        new picocli.CommandLine(
                new io.kvmop.cli.MigrateCommand().using(client, new java.io.PrintStream(out, true)))
            .execute("cli", "-n", "default", "--to", "node-b", "--wait", "60");
    System.out.print(out);
    assertThat(exit).isZero();
    assertThat(out.toString())
        .contains(
            "created", "Preparing node-a -> node-b", "Succeeded node-a -> node-b: machine cli");

    FakeMigrations.DESTINATIONS.remove(URI_A); // node-a's libvirtd cannot be reached to go back
    out.reset();
    exit =
        new picocli.CommandLine(
                new io.kvmop.cli.MigrateCommand().using(client, new java.io.PrintStream(out, true)))
            .execute("cli", "-n", "default", "--wait", "60");
    System.out.print(out);
    assertThat(exit).isEqualTo(1);
    assertThat(out.toString()).contains("Failed node-b -> node-a", "keeps running on node node-b");
  }

  @Test
  void aDrainedHostMovesWhatCanMoveAndSaysWhatCannotAndWhy() {
    KvmMachine free = runningOnA("free-1");
    KvmMachine pinned = Fixtures.machine("default", "pinned-1");
    pinned.getMetadata().setUid(null);
    pinned.getSpec().nodeName = "node-a";
    a.create(pinned);
    a.awaitMachine("pinned-1", "Running", true, "Running", 30);

    io.kvmop.testing.UserEdits.edit(
        client.resources(KvmHost.class).withName("node-a"),
        h -> {
          h.getSpec().cordoned = true;
          h.getSpec().drain = true;
          return h;
        });
    within(30)
        .until(
            () -> {
              var d = client.resources(KvmHost.class).withName("node-a").get().getStatus().drain;
              return d != null && d.phase == DrainPhase.Blocked;
            });
    var drain = client.resources(KvmHost.class).withName("node-a").get().getStatus().drain;
    assertThat(drain.moving).isEmpty();
    assertThat(drain.cannotMove).hasSize(1);
    assertThat(drain.cannotMove.get(0).machine).isEqualTo("default/pinned-1");
    assertThat(drain.cannotMove.get(0).reason).contains("spec.nodeName pins it to node node-a");
    assertThat(b.machine("free-1").getMetadata().getLabels())
        .containsEntry("kvmop.io/node", "node-b");
    assertThat(libvirtB.domains().findDomain(free.getStatus().domainName)).isPresent();
    assertThat(client.resources(KvmMachineMigration.class).inNamespace("default").list().getItems())
        .singleElement()
        .satisfies(
            g -> assertThat(g.getMetadata().getLabels()).containsEntry("kvmop.io/drain", "node-a"));

    client.resource(a.machine("pinned-1")).delete();
    within(30)
        .until(
            () ->
                DrainPhase.Drained
                    == client
                        .resources(KvmHost.class)
                        .withName("node-a")
                        .get()
                        .getStatus()
                        .drain
                        .phase);
  }

  @Test
  void pastItsTimeoutAPauseLetsTheCopyCompleteAndTheGuestRunsAgainOnTheTarget() {
    KvmMachine m = runningOnA("pauser");
    String domain = m.getStatus().domainName;
    libvirtA.migrations.hold();
    migrateWithTimeout("move-p", "pauser", KvmMachineMigrationSpec.OnTimeout.Pause);
    within(20).until(() -> "Pause".equals(fallback("move-p")));
    assertThat(libvirtA.domains().findDomain(domain).orElseThrow().state())
        .isEqualTo(io.kvmop.libvirt.DomainState.RunState.PAUSED);
    assertThat(migration("move-p").getStatus().progress.mode).isEqualTo("paused");
    libvirtA.migrations.release();
    awaitPhase("move-p", MigrationPhase.Succeeded);
    within(20)
        .until(
            () ->
                libvirtB.domains().findDomain(domain).orElseThrow().state()
                    == io.kvmop.libvirt.DomainState.RunState.RUNNING);
  }

  @Test
  void pastItsTimeoutPostcopySwitchesTheGuestOverAndWasAskedForFromTheStart() {
    KvmMachine m = runningOnA("postcopier");
    libvirtA.migrations.hold();
    migrateWithTimeout("move-pc", "postcopier", KvmMachineMigrationSpec.OnTimeout.Postcopy);
    within(20).until(() -> "Postcopy".equals(fallback("move-pc")));
    assertThat(libvirtA.migrations.last.postcopy()).isTrue();
    assertThat(libvirtA.calls).contains("start post-copy of domain " + m.getStatus().domainName);
    libvirtA.migrations.release();
    assertThat(awaitPhase("move-pc", MigrationPhase.Succeeded).getStatus().progress.mode)
        .isEqualTo("postcopy");
  }

  @Test
  void aMachineDeletedDuringItsCopyIsCancelledRemovedOnItsNodeAndLeavesNothingOnTheTarget() {
    KvmMachine m = runningOnA("doomed");
    String domain = m.getStatus().domainName;
    libvirtA.migrations.hold();
    migrate("move-d", "doomed", "node-b");
    awaitPhase("move-d", MigrationPhase.Migrating);
    assertThat(volumes(libvirtB)).as("prepared on the target").anyMatch(v -> v.startsWith(domain));
    client.resource(a.machine("doomed")).delete();
    KvmMachineMigration failed = awaitPhase("move-d", MigrationPhase.Failed);
    assertThat(reason(failed)).isEqualTo("MigrationAborted");
    within(30).until(() -> a.machine("doomed") == null);
    assertThat(libvirtA.domains().findDomain(domain)).isEmpty();
    assertThat(libvirtB.domains().findDomain(domain)).isEmpty();
    within(30).until(() -> Boolean.TRUE.equals(migration("move-d").getStatus().targetCleaned));
    assertThat(volumes(libvirtA)).noneMatch(v -> v.startsWith(domain));
    assertThat(volumes(libvirtB)).noneMatch(v -> v.startsWith(domain));
  }

  /** A migration to node-b with a 1 s timeout and what to do past it. */
  private void migrateWithTimeout(
      String name, String machine, KvmMachineMigrationSpec.OnTimeout then) {
    MigrationSteps.migrate(
        client,
        name,
        machine,
        "node-b",
        spec -> {
          spec.timeout = "1s";
          spec.onTimeout = then;
        });
  }
}
