package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.FailoverSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.MigrationPhase;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.MigrationSteps;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.SecondNode;
import io.kvmop.testing.SystemLeftovers;
import io.kvmop.testing.TestCeph;
import io.kvmop.testing.TestGuest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A source node that dies while its machine is on its way: node-a's agent and guest die during a
 * slow live migration to node-b. Nobody is left to finish the migration but its target: node-b
 * gives it up once node-a's Lease is silent (MigrationSourceLost, no incoming copy left), and the
 * Restart machine then fails over to node-b from its RBD image, as after any host death; node-a
 * back removes its stale domain.
 */
class SystemMigrationFailoverIT extends TwoNodeSystemBase {
  static final String NAME = SystemLeftovers.PREFIX + "migfo";

  @Test
  void aMachineWhoseSourceDiesMidMigrationIsGivenUpByItsTargetAndFailsOver() throws Exception {
    Path guest = TestGuest.build();
    TestCeph ceph = TestCeph.start();
    String storage = SystemLeftovers.PREFIX + "migfoceph";
    String secret = rbdPool(ceph, storage);
    try {
      // on node-a (node-b is cordoned until the migration): only node-b takes migrations here
      KvmMachine m = Fixtures.testGuest(NAME, guest);
      DiskSpec root = Fixtures.disk("root", SystemDiskIT.rawBase().toString(), "96Mi");
      root.storage = storage;
      m.getSpec().disks = new ArrayList<>(List.of(root));
      m.getSpec().failover = new FailoverSpec();
      m.getSpec().failover.policy = "Restart";
      m.getSpec().failover.after = "10s";
      agentA.create(m);
      KvmMachine up = agentA.awaitMachine(NAME, "Ready", true, "Running", 240);
      assertThat(up.getStatus().nodeName).isEqualTo("node-a");
      String domain = up.getStatus().domainName;
      uncordon("node-b");

      // 1 MiB/s: the guest's memory takes minutes to move, so the node dies on the way
      MigrationSteps.migrate(client, "mig-dies", NAME, "node-b", spec -> spec.bandwidthMiB = 1);
      MigrationSteps.awaitPhase(client, "mig-dies", MigrationPhase.Migrating, 120, () -> "");
      long t0 = System.nanoTime();
      agentA.close(); // node-a loses power: its agent stops renewing its Lease, its guest dies
      virshA("destroy", domain);

      KvmMachineMigration given =
          MigrationSteps.awaitPhase(client, "mig-dies", MigrationPhase.Failed, 120, () -> "");
      var ready = given.getStatus().conditions.stream().filter(c -> c.getType().equals("Ready"));
      var condition = ready.findFirst().orElseThrow();
      System.out.printf(
          "node-a dies mid-migration -> node-b gives the migration up: %d ms (%s: %s)%n",
          (System.nanoTime() - t0) / 1_000_000, condition.getReason(), condition.getMessage());
      assertThat(condition.getReason()).isEqualTo("MigrationSourceLost");
      KvmMachine moved =
          within(180)
              .until(
                  () -> machineNamed(NAME),
                  now ->
                      now.getStatus() != null
                          && "node-b".equals(now.getStatus().nodeName)
                          && OperatorHarness.condition(now, "Running")
                              .map(c -> "True".equals(c.getStatus()))
                              .orElse(false));
      System.out.printf(
          "node-a dies mid-migration -> Running on node-b: %d ms%n",
          (System.nanoTime() - t0) / 1_000_000);
      assertThat(moved.getStatus().failover.fromNode).isEqualTo("node-a");
      assertThat(moved.getStatus().failover.count).isEqualTo(1);
      assertThat(virshB("domstate", domain).strip()).isEqualTo("running");
      assertThat(SystemFailoverIT.qemus(domain)).as("one QEMU of the machine").isEqualTo(1);

      // node-a is back: its stale domain goes, never started
      agentA =
          new OperatorHarness(
                  client,
                  "node-a",
                  libvirtA,
                  new io.kvmop.network.LinuxHostNetwork(),
                  java.util.Map.of("KVMOP_OVERLAY_ADDRESS", SecondNode.HOST_ADDRESS))
              .start();
      within(120).until(() -> !virshA("list", "--all", "--name").contains(domain));
      assertThat(virshB("domstate", domain).strip()).isEqualTo("running");
      client.resource(machineNamed(NAME)).delete();
      within(90).until(() -> machineNamed(NAME) == null);
    } finally {
      removeRbd(ceph, secret);
    }
  }
}
