package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.condition;
import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkSpec;
import io.kvmop.api.NetworkMode;
import io.kvmop.api.NetworkPhase;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.libvirt.xml.NetworkXml;
import io.kvmop.network.NetworkDesign;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.testing.Fixtures;
import org.junit.jupiter.api.Test;

/** Input the schema cannot catch, and objects that are not ours: reported, nothing touched. */
class KvmNetworkBadInputIT extends NetworkItBase {

  @Override
  boolean startOperator() {
    return false;
  }

  @Test
  void aCidrTooSmallIsInvalidSpecAndNothingIsDefined() {
    k8s.start();
    KvmNetwork created = k8s.create("tiny", Fixtures.spec(NetworkMode.ISOLATED, "10.70.0.0/31"));
    KvmNetwork n = k8s.awaitReady("tiny", false, "InvalidSpec");
    assertThat(condition(n, "Ready").orElseThrow().getMessage())
        .contains("spec.ipv4.cidr 10.70.0.0/31 is too small");
    assertThat(n.getStatus().phase).isEqualTo(NetworkPhase.Failed);
    assertThat(inLibvirt(created)).isEmpty();
  }

  @Test
  void anOverlapWithAnotherKvmNetworkIsRefusedUntilTheOtherGoes() {
    k8s.start();
    KvmNetwork first = k8s.create("first", Fixtures.spec(NetworkMode.ISOLATED, "10.71.0.0/16"));
    k8s.awaitReady("first", true, "Active");
    KvmNetwork second = k8s.create("second", Fixtures.spec(NetworkMode.ISOLATED, "10.71.5.0/24"));
    KvmNetwork refused = k8s.awaitReady("second", false, "InvalidSpec");
    assertThat(condition(refused, "Ready").orElseThrow().getMessage())
        .contains("overlaps KvmNetwork default/first (10.71.0.0/16)");
    assertThat(inLibvirt(second)).isEmpty();

    k8s.delete(first);
    k8s.awaitReady("second", true, "Active");
  }

  @Test
  void anAddressHeldByAHostInterfaceIsAConflictNamingItAndNothingStarts() {
    host.add("dummy0", "10.72.0.1/24");
    k8s.start();
    KvmNetwork created = k8s.create("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.72.0.0/24"));
    KvmNetwork n = k8s.awaitReady("lab", false, "AddressConflict");
    assertThat(condition(n, "Ready").orElseThrow().getMessage())
        .contains("host interface dummy0 holds 10.72.0.1/24");
    assertThat(inLibvirt(created).map(NetworkState::active)).hasValue(false);

    host.remove("dummy0");
    k8s.awaitReady("lab", true, "Active");
  }

  @Test
  void aLibvirtNetworkOfTheDerivedNameWithoutOurMarkIsLeftUntouched() {
    KvmNetwork n = k8s.create("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.73.0.0/24"));
    NetworkXml ours = NetworkDesign.desired(n, NetworkRealizer.naming(n));
    NetworkXml foreign =
        new NetworkXml(
            ours.name(),
            "11111111-2222-3333-4444-555555555555",
            null,
            null,
            new NetworkXml.Bridge("virbr9", null, null),
            null,
            null,
            null,
            null,
            null);
    libvirt.networks().defineNetwork(foreign);
    NetworkState before = libvirt.networks().findNetwork(ours.name()).orElseThrow();
    k8s.start();
    KvmNetwork reported = k8s.awaitReady("lab", false, "NameConflict");
    assertThat(condition(reported, "Ready").orElseThrow().getMessage())
        .contains("11111111-2222-3333-4444-555555555555", "leaves it untouched");

    k8s.delete(reported);
    within(15).until(() -> k8s.get("lab") == null);
    NetworkState after = libvirt.networks().findNetwork(ours.name()).orElseThrow();
    assertThat(after.uuid()).isEqualTo("11111111-2222-3333-4444-555555555555");
    assertThat(after).isEqualTo(before);
    assertThat(after.active()).isFalse();
  }

  @Test
  void bridgeModeWithoutABridgeIsInvalidSpec() {
    k8s.start();
    KvmNetworkSpec spec = Fixtures.spec(NetworkMode.BRIDGE, null);
    k8s.create("lan", spec);
    KvmNetwork n = k8s.awaitReady("lan", false, "InvalidSpec");
    assertThat(condition(n, "Ready").orElseThrow().getMessage())
        .isEqualTo(
            "node node-a: spec.bridge.name is required with mode bridge: name an existing host bridge");
  }

  @Test
  void aHostBridgeIsUsedOnlyWhenTheNodesAdminListsIt() {
    k8s.start();
    k8s.create("lan", Fixtures.bridge("br-mgmt"));
    KvmNetwork n = k8s.awaitReady("lan", false, "InvalidSpec");
    assertThat(condition(n, "Ready").orElseThrow().getMessage())
        .contains("spec.bridge.name br-mgmt is not a host bridge", "spec.permittedBridges");
    assertThat(libvirt.networks().listNetworks())
        .noneMatch(s -> s.name().startsWith("kvmop-default-lan-"));

    io.kvmop.api.KvmHost h = k8s.awaitHost(x -> true, 15);
    h.getSpec().permittedBridges = java.util.List.of("br-mgmt");
    k8s.updateSpec(h);
    within(15)
        .until(
            () ->
                libvirt.networks().listNetworks().stream()
                    .anyMatch(s -> s.name().startsWith("kvmop-default-lan-")));
  }
}
