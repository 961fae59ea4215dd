package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kvmop.api.FailoverSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.cluster.Finalizers;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.testing.FakeHostNetwork;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.TestDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover through two agents on libvirt's test driver and one mock API: node-a's agent stops and
 * its guests die; node-b's agent takes its Restart machine once the Lease has been silent long
 * enough, leaves its None machine alone and releases one deleted meanwhile; node-a back removes
 * their stale domains, never starting them.
 */
@EnableKubernetesMockClient(crud = true)
class FailoverIT {
  KubernetesClient client;
  @TempDir Path dir;
  JnaLibvirt libvirtA;
  JnaLibvirt libvirtB;
  OperatorHarness a;
  OperatorHarness b;

  @BeforeEach
  void startTwoNodes() throws Exception {
    libvirtA = new JnaLibvirt(TestDriver.privateUri(Files.createDirectories(dir.resolve("a"))));
    libvirtB = new JnaLibvirt(TestDriver.privateUri(Files.createDirectories(dir.resolve("b"))));
    a = new OperatorHarness(client, "node-a", libvirtA, new FakeHostNetwork()).start();
    b = new OperatorHarness(client, "node-b", libvirtB, new FakeHostNetwork());
  }

  @AfterEach
  void stop() {
    if (a != null) {
      a.close();
    }
    b.close();
    libvirtA.close();
    libvirtB.close();
  }

  private KvmMachine machine(String name, String policy) {
    KvmMachine m = Fixtures.machine("default", name);
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().memory = "128Mi";
    m.getSpec().interfaces = new ArrayList<>();
    m.getSpec().disks = new ArrayList<>();
    m.getSpec().failover = new FailoverSpec();
    m.getSpec().failover.policy = policy;
    m.getSpec().failover.after = "10s";
    return m;
  }

  @Test
  void aDeadNodesRestartMachineRunsOnTheOtherNodeAndItsStaleCopyIsRemovedWhenTheNodeIsBack()
      throws Exception {
    a.create(machine("ha", "Restart"));
    a.create(machine("stay", "None"));
    a.create(machine("gone", "None"));
    a.awaitMachine("ha", "Running", true, "Running", 30);
    a.awaitMachine("stay", "Running", true, "Running", 30);
    a.awaitMachine("gone", "Running", true, "Running", 30);
    b.start();

    // node-a dies: its agent stops (its Lease is renewed no more), its guests with it
    long t0 = System.nanoTime();
    a.close();
    a = null;
    libvirtA.domains().destroyDomain("kvmop-default-ha");
    libvirtA.domains().destroyDomain("kvmop-default-stay");
    libvirtA.domains().destroyDomain("kvmop-default-gone");
    // deleted while its node is dead: released by node-b (it has nothing local), not left hanging
    client.resource(b.machine("gone")).delete();
    KvmMachine moved =
        within(90)
            .until(
                () -> b.machine("ha"),
                m ->
                    m.getStatus() != null
                        && "node-b".equals(m.getStatus().nodeName)
                        && OperatorHarness.condition(m, "Running")
                            .map(c -> "True".equals(c.getStatus()))
                            .orElse(false));
    System.out.printf(
        "node-a stops -> its Restart machine runs on node-b: %d ms%n",
        (System.nanoTime() - t0) / 1_000_000);
    assertThat(libvirtB.domains().findDomain("kvmop-default-ha").orElseThrow().running()).isTrue();
    assertThat(moved.getStatus().failover.fromNode).isEqualTo("node-a");
    assertThat(moved.getStatus().failover.by).isEqualTo("node-b");
    assertThat(moved.getMetadata().getLabels()).containsEntry("kvmop.io/node", "node-b");
    assertThat(moved.getMetadata().getFinalizers())
        .contains(Finalizers.machine("node-b"))
        .doesNotContain(Finalizers.machine("node-a"));
    assertThat(OperatorHarness.condition(moved, "Scheduled").orElseThrow().getMessage())
        .contains("after node node-a failed");
    KvmMachine stay = b.machine("stay");
    assertThat(stay.getStatus().nodeName).as("policy None waits for its node").isEqualTo("node-a");
    assertThat(libvirtB.domains().findDomain("kvmop-default-stay")).isEmpty();

    within(60).until(() -> b.machine("gone") == null);

    // node-a is back: the stale copy goes, never started; the None machine runs there again
    a = new OperatorHarness(client, "node-a", libvirtA, new FakeHostNetwork()).start();
    within(30).until(() -> libvirtA.domains().findDomain("kvmop-default-ha").isEmpty());
    within(30).until(() -> libvirtA.domains().findDomain("kvmop-default-gone").isEmpty());
    a.awaitMachine("stay", "Running", true, "Running", 30);
    assertThat(libvirtB.domains().findDomain("kvmop-default-ha").orElseThrow().running()).isTrue();
    assertThat(b.machine("ha").getStatus().nodeName).isEqualTo("node-b");
  }
}
