package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.KvmNetwork;
import io.kvmop.api.NetworkMode;
import io.kvmop.libvirt.xml.NetworkXml;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.OperatorHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Manual damage, done through libvirt as virsh would, is repaired from libvirt's events. */
class KvmNetworkSelfHealIT extends NetworkItBase {
  KvmNetwork n;
  String name;

  @BeforeEach
  void readyNetwork() {
    k8s.create("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.65.0.0/24"));
    n = k8s.awaitReady("lab", true, "Active");
    name = libvirtName(n);
  }

  private void awaitHealthy() {
    within(10)
        .until(
            () ->
                inLibvirt(n)
                    .filter(s -> s.active() && s.autostart() && s.persistent())
                    .isPresent());
  }

  @Test
  void aDestroyedNetworkIsStartedAgain() {
    libvirt.networks().stopNetwork(name);
    awaitHealthy();
  }

  @Test
  void autostartSwitchedOffIsSwitchedOnAgain() {
    libvirt.networks().setNetworkAutostart(name, false);
    awaitHealthy();
  }

  @Test
  void anUndefinedNetworkIsDefinedAndStartedAgain() {
    // the agent may start the stopped network again before the undefine gets there (the test
    // driver refuses to undefine a running network): stop and undefine until the undefine wins
    for (int attempt = 0; ; attempt++) {
      try {
        if (inLibvirt(n).map(s -> s.active()).orElse(false)) {
          libvirt.networks().stopNetwork(name);
        }
        libvirt.networks().undefineNetwork(name);
        break;
      } catch (io.kvmop.libvirt.LibvirtError e) {
        if (attempt >= 20 || !"VIR_ERR_OPERATION_INVALID".equals(e.code())) {
          throw e;
        }
      }
    }
    awaitHealthy();
    assertThat(inLibvirt(n).orElseThrow().uuid()).isEqualTo(n.getMetadata().getUid());
  }

  @Test
  void aNetworkEditedByHandWhileTheAgentWasDownIsRedefinedAsDeclared() {
    k8s.close();
    NetworkXml c = inLibvirt(n).orElseThrow().config();
    libvirt.networks().stopNetwork(name);
    libvirt
        .networks()
        .defineNetwork(
            new NetworkXml(
                c.name(),
                c.uuid(),
                c.metadata(),
                c.forward(),
                c.bridge(),
                new NetworkXml.Mtu(1280),
                c.domain(),
                c.dns(),
                c.ips(),
                null));
    assertThat(inLibvirt(n).orElseThrow().config().mtu()).isEqualTo(new NetworkXml.Mtu(1280));
    k8s = new OperatorHarness(client, "node-a", libvirt, host).start();
    within(10)
        .until(
            () ->
                inLibvirt(n)
                    .filter(x -> x.active() && x.config().mtu() == null && x.live().mtu() == null)
                    .isPresent());
  }

  @Test
  void aStaleBridgeOfOurNameIsRemovedAndTheNetworkStarted() {
    String bridge = n.getStatus().bridge;
    host.add(bridge, "10.65.0.1/24");
    libvirt.networks().stopNetwork(name);
    awaitHealthy();
    assertThat(host.deletedLinks).containsExactly(bridge);
  }
}
