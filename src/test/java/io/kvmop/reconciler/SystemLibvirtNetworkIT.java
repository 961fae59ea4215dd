package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.condition;
import static io.kvmop.testing.OperatorHarness.within;
import static io.kvmop.testing.Shell.must;
import static io.kvmop.testing.Shell.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.KvmNetwork;
import io.kvmop.api.NetworkMode;
import io.kvmop.network.NetworkNaming;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.testing.Fixtures;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The network controller against the real libvirtd (qemu:///system) and the real host: bridges,
 * addresses and repairs checked with virsh and ip, as a person would. Isolated networks only:
 * nothing a network does here can reach beyond this machine.
 *
 * <p>Runs when the system property kvmop.it.systemUri names a libvirt URI (the build sets
 * qemu:///system; .ci/run starts libvirtd first).
 */
@org.junit.jupiter.api.Tag("system")
class SystemLibvirtNetworkIT extends SystemItBase {
  static final String DUMMY = "kvmopit-dummy";

  @Override
  void removeLeftovers() {
    run("ip", "link", "delete", DUMMY);
    super.removeLeftovers();
  }

  /** Applies an isolated network and waits for Ready; prints apply→Ready as a figure. */
  private KvmNetwork readyNetwork(String name, String cidr) {
    long t0 = System.nanoTime();
    k8s.create(PREFIX + name, Fixtures.spec(NetworkMode.ISOLATED, cidr));
    KvmNetwork n = k8s.awaitReady(PREFIX + name, true, "Active");
    System.out.printf(
        "apply -> Ready (network active on real libvirtd): %d ms%n",
        (System.nanoTime() - t0) / 1_000_000);
    return n;
  }

  /** Waits for libvirt to show the state again and prints how long the repair took. */
  private void awaitRepaired(String what, String name, Predicate<String> netInfo) {
    long t0 = System.nanoTime();
    within(15).pollInterval(Duration.ofMillis(20)).until(() -> netInfo.test(netInfo(name)));
    System.out.printf("repair after %s: %d ms%n", what, (System.nanoTime() - t0) / 1_000_000);
  }

  private String netInfo(String name) {
    return run("virsh", "--connect=" + uri, "net-info", name).output();
  }

  private static boolean healthy(String info) {
    return info.matches("(?s).*Active:\\s+yes.*")
        && info.matches("(?s).*Persistent:\\s+yes.*")
        && info.matches("(?s).*Autostart:\\s+yes.*");
  }

  @Test
  void anIsolatedNetworkRunsWithItsBridgeHoldingTheGateway() {
    KvmNetwork n = readyNetwork("lab", "10.251.1.0/24");
    String name = n.getStatus().libvirtName;
    assertThat(healthy(netInfo(name))).isTrue();
    assertThat(must("ip", "-br", "addr", "show", "dev", n.getStatus().bridge))
        .contains("10.251.1.1/24");
    assertThat(virsh("net-dumpxml", name)).doesNotContain("<forward");
    assertThat(n.getStatus().nodes.get(0).leases).as("leases read from libvirt").isZero();
    assertNetworkLeftAlone(name);
  }

  @Test
  void aNewReservationIsAppliedWithoutRestartingTheBridge() {
    KvmNetwork n = readyNetwork("live", "10.251.6.0/24");
    String ifindex = must("cat", "/sys/class/net/" + n.getStatus().bridge + "/ifindex");
    n.getSpec().ipv4.dhcp = new io.kvmop.api.DhcpSpec();
    n.getSpec().ipv4.dhcp.hosts =
        java.util.List.of(new io.kvmop.api.DhcpHost("52:54:00:00:00:42", "10.251.6.42", "db"));
    k8s.updateSpec(n);
    k8s.awaitReady(PREFIX + "live", true, "UpdatedLive");
    String name = n.getStatus().libvirtName;
    assertThat(virsh("net-dumpxml", name)).contains("52:54:00:00:00:42", "10.251.6.42");
    assertThat(virsh("net-dumpxml", "--inactive", name)).contains("52:54:00:00:00:42");
    assertThat(must("cat", "/sys/class/net/" + n.getStatus().bridge + "/ifindex"))
        .as("the bridge was not recreated, so the network was not restarted")
        .isEqualTo(ifindex);
  }

  @Test
  void afterLibvirtdRestartsTheAgentReconnectsAndRepairsAgain() {
    KvmNetwork n = readyNetwork("reconnect", "10.251.7.0/24");
    String name = n.getStatus().libvirtName;
    must("pkill", "-x", "libvirtd");
    within(15).until(() -> !run("pgrep", "-x", "libvirtd").ok());
    must("libvirtd", "-d");
    within(15).until(() -> run("virsh", "--connect=" + uri, "version").ok());
    virsh("net-destroy", name);
    awaitRepaired(
        "virsh net-destroy after a libvirtd restart", name, SystemLibvirtNetworkIT::healthy);
  }

  @Test
  void manualDamageIsRepairedFromLibvirtEvents() {
    KvmNetwork n = readyNetwork("heal", "10.251.2.0/24");
    String name = n.getStatus().libvirtName;

    virsh("net-destroy", name);
    awaitRepaired("virsh net-destroy", name, SystemLibvirtNetworkIT::healthy);

    virsh("net-autostart", "--disable", name);
    awaitRepaired("virsh net-autostart --disable", name, SystemLibvirtNetworkIT::healthy);

    virsh("net-undefine", name);
    awaitRepaired("virsh net-undefine", name, SystemLibvirtNetworkIT::healthy);

    String edited =
        virsh("net-dumpxml", "--inactive", name).replace("<ip ", "<mtu size='1400'/>\n  <ip ");
    java.nio.file.Path f = writeTemp(edited);
    virsh("net-define", f.toString());
    long t0 = System.nanoTime();
    within(15).until(() -> !virsh("net-dumpxml", "--inactive", name).contains("mtu"));
    System.out.printf(
        "repair after virsh net-define (hand edit): %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    assertThat(healthy(netInfo(name))).isTrue();
    assertThat(must("ip", "-br", "addr", "show", "dev", n.getStatus().bridge))
        .contains("10.251.2.1/24");
  }

  private static java.nio.file.Path writeTemp(String text) {
    try {
      java.nio.file.Path f = java.nio.file.Files.createTempFile("kvmopit", ".xml");
      java.nio.file.Files.writeString(f, text);
      return f;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * A dummy interface where the kernel has the dummy driver; otherwise (as on this project's
   * machines) one end of a veth pair, which holds an address just the same.
   */
  private static void addDummyInterface() {
    if (!run("ip", "link", "add", DUMMY, "type", "dummy").ok()) {
      must("ip", "link", "add", DUMMY, "type", "veth", "peer", "name", "kvmopit-peer");
    }
  }

  @Test
  void aDummyInterfaceHoldingTheGatewayIsReportedAndNothingStarts() {
    addDummyInterface();
    must("ip", "addr", "add", "10.251.3.1/24", "dev", DUMMY);
    KvmNetwork created =
        k8s.create(PREFIX + "clash", Fixtures.spec(NetworkMode.ISOLATED, "10.251.3.0/24"));
    KvmNetwork n = k8s.awaitReady(PREFIX + "clash", false, "AddressConflict");
    assertThat(condition(n, "Ready").orElseThrow().getMessage())
        .contains("host interface " + DUMMY + " holds 10.251.3.1/24");
    NetworkNaming naming = NetworkRealizer.naming(created);
    assertThat(netInfo(naming.libvirtName())).matches("(?s).*Active:\\s+no.*");
    assertThat(run("ip", "link", "show", naming.bridge()).ok()).isFalse();

    must("ip", "link", "delete", DUMMY);
    k8s.awaitReady(PREFIX + "clash", true, "Active");
  }

  @Test
  void aStaleBridgeOfOurNameIsRemovedAndTheNetworkStarts() {
    KvmNetwork n = readyNetwork("stale", "10.251.4.0/24");
    String name = n.getStatus().libvirtName;
    String bridge = n.getStatus().bridge;
    k8s.close();
    virsh("net-destroy", name);
    must("ip", "link", "add", bridge, "type", "bridge");
    must("ip", "addr", "add", "10.251.4.1/24", "dev", bridge);
    assertThat(run("virsh", "--connect=" + uri, "net-start", name).ok())
        .as("libvirt itself refuses to start over the stale bridge")
        .isFalse();
    k8s = startOperator();
    awaitRepaired("a stale bridge", name, SystemLibvirtNetworkIT::healthy);
    assertThat(must("ip", "-br", "addr", "show", "dev", bridge)).contains("10.251.4.1/24");
  }

  @Test
  void deletionLeavesNoNetworkAndNoBridge() {
    KvmNetwork n = readyNetwork("gone", "10.251.5.0/24");
    k8s.delete(n);
    within(15).until(() -> k8s.get(PREFIX + "gone") == null);
    assertThat(run("virsh", "--connect=" + uri, "net-info", n.getStatus().libvirtName).ok())
        .isFalse();
    assertThat(run("ip", "link", "show", n.getStatus().bridge).ok()).isFalse();
  }
}
