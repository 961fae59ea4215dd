package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kvmop.api.DhcpHost;
import io.kvmop.api.DhcpSpec;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.NetworkMode;
import io.kvmop.api.NodeNetworkStatus;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.testing.FakeHostNetwork;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.TestDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two agents (node-a, node-b), each with its own private libvirt test-driver hypervisor, against
 * one mock API: the shape of a cluster with two KVM hosts.
 */
@EnableKubernetesMockClient(crud = true)
class TwoAgentsIT {
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
    b = new OperatorHarness(client, "node-b", libvirtB, new FakeHostNetwork()).start();
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    libvirtA.close();
    libvirtB.close();
  }

  static List<String> nodesOf(KvmNetwork n) {
    return n == null || n.getStatus() == null || n.getStatus().nodes == null
        ? List.of()
        : n.getStatus().nodes.stream().map(e -> e.node).toList();
  }

  @Test
  void bothAgentsRealiseANetworkAndNeitherLosesTheOthersStatusEntry() throws Exception {
    a.create("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.80.0.0/24"));
    try {
      within(20).until(() -> nodesOf(a.get("lab")).equals(List.of("node-a", "node-b")));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      System.out.println(
          "LAST STATUS: "
              + io.fabric8.kubernetes.client.utils.Serialization.asYaml(a.get("lab").getStatus()));
      throw e;
    }
    KvmNetwork lab = a.awaitReady("lab", true, "Active");
    String name = NetworkRealizer.naming(lab).libvirtName();
    assertThat(libvirtA.findNetwork(name).orElseThrow().active()).isTrue();
    assertThat(libvirtB.findNetwork(name).orElseThrow().active()).isTrue();

    // both agents rewrite their entries at once, five times over; a watcher reads all along
    List<List<String>> seen = new ArrayList<>();
    AtomicReference<Boolean> watching = new AtomicReference<>(true);
    Thread watcher =
        new Thread(
            () -> {
              while (watching.get()) {
                seen.add(nodesOf(a.get("lab")));
              }
            });
    watcher.start();
    long gen = 0;
    for (int i = 1; i <= 5; i++) {
      KvmNetwork n = a.get("lab");
      n.getSpec().ipv4.dhcp = new DhcpSpec();
      n.getSpec().ipv4.dhcp.hosts =
          List.of(new DhcpHost("52:54:00:00:00:0" + i, "10.80.0." + (10 + i), "h" + i));
      gen = a.updateSpec(n).getMetadata().getGeneration();
    }
    long last = gen;
    within(30)
        .until(
            () -> {
              KvmNetwork n = a.get("lab");
              return n.getStatus().nodes.size() == 2
                  && n.getStatus().nodes.stream()
                      .allMatch(e -> e.observedGeneration != null && e.observedGeneration == last);
            });
    watching.set(false);
    watcher.join();
    assertThat(seen)
        .as("every read of the status during the churn shows both nodes' entries")
        .isNotEmpty()
        .allSatisfy(nodes -> assertThat(nodes).containsExactly("node-a", "node-b"));
    for (NodeNetworkStatus e : a.get("lab").getStatus().nodes) {
      assertThat(e.conditions).anySatisfy(c -> assertThat(c.getStatus()).isEqualTo("True"));
    }
    assertThat(libvirtA.findNetwork(name).orElseThrow().live().dhcpHosts()).hasSize(1);
    assertThat(libvirtB.findNetwork(name).orElseThrow().live().dhcpHosts()).hasSize(1);
  }

  @Test
  void aMachineRunsOnlyOnItsNodeAndALostNodeChangesNothingElsewhere() {
    a.create("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.81.0.0/24"));
    a.awaitReady("lab", true, "Active");
    KvmMachine m = Fixtures.machine("default", "vm", "lab");
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-b";
    m.getSpec().memory = "256Mi";
    a.create(m);
    KvmMachine ready = b.awaitMachine("vm", "Running", true, "Running", 30);
    assertThat(ready.getStatus().nodeName).isEqualTo("node-b");
    assertThat(libvirtB.findDomain("kvmop-default-vm").orElseThrow().running()).isTrue();
    assertThat(libvirtA.findDomain("kvmop-default-vm")).as("node-a never defines it").isEmpty();
    String rv = ready.getMetadata().getResourceVersion();

    // node-a disappears: its KvmHost is deleted
    client.resources(KvmHost.class).withName("node-a").delete();
    within(10).until(() -> client.resources(KvmHost.class).withName("node-a").get() == null);
    KvmMachine after = b.machine("vm");
    assertThat(after.getStatus().phase).isEqualTo(ready.getStatus().phase);
    assertThat(OperatorHarness.condition(after, "Running").orElseThrow().getStatus())
        .isEqualTo("True");
    assertThat(libvirtB.findDomain("kvmop-default-vm").orElseThrow().running()).isTrue();
    assertThat(after.getMetadata().getResourceVersion())
        .as("nothing was written to the machine on node-b")
        .isEqualTo(rv);
  }
}
