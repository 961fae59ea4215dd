package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kvmop.api.AddressAllocation;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkSpec;
import io.kvmop.api.NetworkMode;
import io.kvmop.api.NodeNetworkStatus;
import io.kvmop.api.SpanSpec;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.libvirt.xml.NetworkXml;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.network.Tunnel;
import io.kvmop.testing.FakeHostNetwork;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.TestDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spanning KvmNetwork on two agents (node-a, node-b), each with its own test-driver libvirt and
 * in-memory host: the tunnel to the other node on each, addresses given out once for the network
 * and served by both nodes' DHCP and DNS, the same gateway MAC on both bridges.
 */
@EnableKubernetesMockClient(crud = true)
class SpanningNetworkIT {
  KubernetesClient client;
  @TempDir Path dir;
  JnaLibvirt libvirtA;
  JnaLibvirt libvirtB;
  FakeHostNetwork hostA = new FakeHostNetwork();
  FakeHostNetwork hostB = new FakeHostNetwork();
  OperatorHarness a;
  OperatorHarness b;

  @BeforeEach
  void twoNodes() throws Exception {
    libvirtA = new JnaLibvirt(TestDriver.privateUri(Files.createDirectories(dir.resolve("a"))));
    libvirtB = new JnaLibvirt(TestDriver.privateUri(Files.createDirectories(dir.resolve("b"))));
    a =
        new OperatorHarness(
                client, "node-a", libvirtA, hostA, Map.of("KVMOP_OVERLAY_ADDRESS", "192.0.2.11"))
            .start();
    b =
        new OperatorHarness(
                client, "node-b", libvirtB, hostB, Map.of("KVMOP_OVERLAY_ADDRESS", "192.0.2.12"))
            .start();
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    libvirtA.close();
    libvirtB.close();
  }

  static KvmNetworkSpec spanning(String cidr) {
    KvmNetworkSpec spec = Fixtures.spec(NetworkMode.ISOLATED, cidr);
    spec.span = new SpanSpec();
    return spec;
  }

  static NodeNetworkStatus entry(KvmNetwork n, String node) {
    return n.getStatus().nodes.stream().filter(e -> node.equals(e.node)).findFirst().orElseThrow();
  }

  void awaitNetwork(java.util.function.Predicate<KvmNetwork> what) {
    try {
      within(30)
          .until(
              () -> {
                KvmNetwork n = a.get("wide");
                return n != null && n.getStatus() != null && what.test(n);
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "network status: "
              + io.fabric8.kubernetes.client.utils.Serialization.asYaml(a.get("wide").getStatus()),
          e);
    }
  }

  KvmMachine machineOn(String name, String node) {
    KvmMachine m = Fixtures.machine("default", name, "wide");
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = node;
    m.getSpec().memory = "128Mi";
    return a.create(m);
  }

  @Test
  void bothNodesTunnelToEachOtherAndServeTheSameAddressesForEveryMachine() {
    a.create("wide", spanning("10.82.0.0/24"));
    awaitNetwork(
        n ->
            n.getStatus().nodes.size() == 2
                && n.getStatus().nodes.stream()
                    .allMatch(e -> e.tunnel != null && e.tunnel.peers.size() == 1));
    KvmNetwork n = a.awaitReady("wide", true, "Active");
    assertThat(entry(n, "node-a").tunnel.peers).containsExactly("192.0.2.12");
    assertThat(entry(n, "node-b").tunnel.peers).containsExactly("192.0.2.11");
    assertThat(entry(n, "node-a").tunnel.up).isTrue();
    Tunnel onA = hostA.tunnels.values().iterator().next();
    Tunnel onB = hostB.tunnels.values().iterator().next();
    assertThat(onA.vni()).isEqualTo(onB.vni()).isPositive();
    assertThat(onA.device()).isEqualTo(onB.device()).matches("kvx[0-9a-f]{8}");
    assertThat(onA.local()).isEqualTo("192.0.2.11");
    assertThat(onA.mtu()).isEqualTo(1450);
    String name = NetworkRealizer.naming(n).libvirtName();
    NetworkXml xa = libvirtA.networks().findNetwork(name).orElseThrow().config();
    NetworkXml xb = libvirtB.networks().findNetwork(name).orElseThrow().config();
    assertThat(xa.mac()).isEqualTo(xb.mac()).isNotNull();
    assertThat(xa.ips().get(0).dhcp() == null || xa.ips().get(0).dhcp().ranges() == null)
        .as("no node hands out addresses of its own choosing")
        .isTrue();

    machineOn("x", "node-a");
    machineOn("y", "node-b");
    a.awaitMachine("x", "Running", true, "Running", 30);
    b.awaitMachine("y", "Running", true, "Running", 30);
    List<AddressAllocation> addresses = a.get("wide").getStatus().addresses;
    assertThat(addresses).extracting(x -> x.machine).containsExactlyInAnyOrder("x", "y");
    assertThat(addresses).extracting(x -> x.ip).doesNotHaveDuplicates().doesNotContain("10.82.0.1");
    within(30)
        .until(
            () ->
                libvirtA.networks().findNetwork(name).orElseThrow().live().dhcpHosts().size() == 2
                    && libvirtB.networks().findNetwork(name).orElseThrow().live().dhcpHosts().size()
                        == 2);
    // the same hosts on both nodes; their order is the order each node's updates arrived in
    assertThat(libvirtA.networks().findNetwork(name).orElseThrow().live().dhcpHosts())
        .containsExactlyInAnyOrderElementsOf(
            libvirtB.networks().findNetwork(name).orElseThrow().live().dhcpHosts());
    assertThat(libvirtB.networks().findNetwork(name).orElseThrow().live().dnsHosts())
        .extracting(h -> h.hostnames().get(0))
        .containsExactlyInAnyOrder("x", "y");

    // a machine deleted gives its address back (after the grace other agents' caches get)
    a.delete(a.machine("x"));
    within(30).until(() -> a.machine("x") == null);
    assertThat(a.get("wide").getStatus().addresses)
        .as("kept for a while: another agent may not have seen the machine yet")
        .extracting(x -> x.machine)
        .contains("x");
  }

  @Test
  void aNodeWithoutATunnelAddressSaysSoAndTheOtherNodeStillServes() {
    KvmNetworkSpec spec = spanning("10.83.0.0/24");
    a.close();
    a =
        new OperatorHarness(client, "node-a", libvirtA, hostA, Map.of("KVMOP_OVERLAY_ADDRESS", ""))
            .start();
    a.create("wide", spec);
    within(30)
        .until(
            () -> {
              KvmNetwork n = a.get("wide");
              return n != null && n.getStatus() != null && n.getStatus().nodes.size() == 2;
            });
    within(30)
        .until(
            () ->
                entry(a.get("wide"), "node-a").conditions.stream()
                    .anyMatch(
                        c ->
                            c.getMessage() != null
                                && c.getMessage().contains("KVMOP_OVERLAY_ADDRESS")));
    assertThat(hostA.tunnels).isEmpty();
    assertThat(entry(a.get("wide"), "node-b").tunnel.peers).isEmpty();
  }
}
