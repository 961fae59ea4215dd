package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.condition;
import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.DhcpHost;
import io.kvmop.api.DhcpSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkSpec;
import io.kvmop.api.NetworkMode;
import io.kvmop.api.NetworkPhase;
import io.kvmop.libvirt.NetworkEvent;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.libvirt.xml.NetworkXml;
import io.kvmop.testing.Fixtures;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class KvmNetworkLifecycleIT extends NetworkItBase {

  @Test
  void anAppliedNetworkBecomesActiveAutostartedAndReady() {
    KvmNetwork created = k8s.create("lab", Fixtures.fullNat());
    KvmNetwork n = k8s.awaitReady("lab", true, "Active");
    assertThat(n.getStatus().phase).isEqualTo(NetworkPhase.Ready);
    assertThat(n.getStatus().observedGeneration).isEqualTo(n.getMetadata().getGeneration());
    assertThat(n.getStatus().libvirtName).isEqualTo(libvirtName(created));
    assertThat(n.getStatus().bridge).matches("kvm[0-9a-f]{8}");
    assertThat(n.getMetadata().getFinalizers()).containsExactly("network.kvmop.io/node-a");
    assertThat(n.getStatus().nodes)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.node).isEqualTo("node-a");
              assertThat(e.active).isTrue();
              assertThat(e.autostart).isTrue();
              assertThat(e.uuid).isEqualTo(n.getMetadata().getUid());
            });
    NetworkState s = inLibvirt(n).orElseThrow();
    assertThat(s.active()).isTrue();
    assertThat(s.autostart()).isTrue();
    assertThat(s.uuid()).isEqualTo(n.getMetadata().getUid());
    assertThat(s.bridgeName()).isEqualTo(n.getStatus().bridge);
    assertThat(s.config().ips().get(0).address()).isEqualTo("192.168.39.1");
    assertThat(s.config().forward().mode()).isEqualTo("nat");
  }

  @Test
  void autostartFalseIsKeptAsDeclared() {
    KvmNetworkSpec spec = Fixtures.spec(NetworkMode.ISOLATED, "10.61.0.0/24");
    spec.autostart = false;
    k8s.create("manual", spec);
    KvmNetwork n = k8s.awaitReady("manual", true, "Active");
    assertThat(inLibvirt(n).orElseThrow().autostart()).isFalse();
    assertThat(n.getStatus().nodes.get(0).autostart).isFalse();
  }

  @Test
  void aSpecChangeRedefinesTheNetworkAndSaysItRestarted() {
    k8s.create("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.62.0.0/24"));
    KvmNetwork n = k8s.awaitReady("lab", true, "Active");
    n.getSpec().mtu = 9000;
    k8s.updateSpec(n);
    KvmNetwork after = k8s.awaitReady("lab", true, "Restarted");
    assertThat(condition(after, "Ready").orElseThrow().getMessage()).contains("mtu changed");
    assertThat(after.getStatus().observedGeneration).isEqualTo(2L);
    NetworkState s = inLibvirt(after).orElseThrow();
    assertThat(s.config().mtu().size()).isEqualTo(9000);
    assertThat(s.active()).isTrue();
  }

  @Test
  void aNewReservationReachesTheRunningNetworkWithoutARestart() {
    k8s.create("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.66.0.0/24"));
    KvmNetwork n = k8s.awaitReady("lab", true, "Active");
    List<NetworkEvent> events = new CopyOnWriteArrayList<>();
    libvirt.events().addListener(io.kvmop.libvirt.LibvirtListener.networks(events::add));
    n.getSpec().ipv4.dhcp = new DhcpSpec();
    n.getSpec().ipv4.dhcp.hosts = List.of(new DhcpHost("52:54:00:00:00:42", "10.66.0.42", "db"));
    k8s.updateSpec(n);
    KvmNetwork after = k8s.awaitReady("lab", true, "UpdatedLive");
    assertThat(condition(after, "Ready").orElseThrow().getMessage())
        .contains("DHCP reservations", "without a restart");
    NetworkState s = inLibvirt(after).orElseThrow();
    assertThat(s.live().dhcpHosts())
        .containsExactly(new NetworkXml.DhcpHost("52:54:00:00:00:42", "10.66.0.42", "db"));
    assertThat(events).extracting(NetworkEvent::kind).doesNotContain(NetworkEvent.Kind.STOPPED);
  }

  @Test
  void deletionRemovesTheNetworkFromLibvirt() {
    KvmNetwork n = k8s.create("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.63.0.0/24"));
    k8s.awaitReady("lab", true, "Active");
    k8s.delete(n);
    within(15).until(() -> k8s.get("lab") == null);
    assertThat(inLibvirt(n)).isEmpty();
  }

  @Test
  void deletionWaitsWhileAMachineUsesTheNetworkAndSaysWhich() {
    KvmNetwork n = k8s.create("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.64.0.0/24"));
    k8s.awaitReady("lab", true, "Active");
    KvmMachine web = k8s.create(Fixtures.machine("default", "web-1", "lab"));
    k8s.create(Fixtures.machine("default", "other", "elsewhere"));
    k8s.delete(n);
    within(15)
        .until(
            () ->
                condition(k8s.get("lab"), "InUse")
                    .filter(c -> "True".equals(c.getStatus()))
                    .isPresent());
    KvmNetwork waiting = k8s.get("lab");
    assertThat(condition(waiting, "InUse").orElseThrow().getMessage())
        .contains("KvmMachine default/web-1")
        .doesNotContain("other");
    assertThat(waiting.getStatus().phase).isEqualTo(NetworkPhase.Terminating);
    assertThat(inLibvirt(n).orElseThrow().active()).isTrue();

    k8s.delete(web);
    within(15).until(() -> k8s.get("lab") == null);
    assertThat(inLibvirt(n)).isEmpty();
  }
}
