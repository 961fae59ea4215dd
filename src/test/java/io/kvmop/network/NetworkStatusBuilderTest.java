package io.kvmop.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkStatus;
import io.kvmop.api.NetworkMode;
import io.kvmop.api.NetworkPhase;
import io.kvmop.api.NodeNetworkStatus;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.network.NetworkStatusBuilder.NodeOutcome;
import io.kvmop.status.Blocker;
import io.kvmop.status.Conditions;
import io.kvmop.testing.Fixtures;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NetworkStatusBuilderTest {
  private final KvmNetwork network =
      Fixtures.network("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.7.0.0/24"));
  private final NetworkNaming naming = NetworkRealizer.naming(network);
  private final Instant t0 = Instant.parse("2026-11-22T10:00:00Z");

  private NetworkState active() {
    return new NetworkState(
        naming.libvirtName(), network.getMetadata().getUid(), true, true, true, null, null);
  }

  private NodeNetworkStatus entry(String node, NodeOutcome o, Instant now) {
    return NetworkStatusBuilder.nodeEntry(network, node, o, null, now);
  }

  private static Condition ready(List<Condition> cs) {
    return Conditions.find(cs, "Ready").orElseThrow();
  }

  @Test
  void anActiveNetworkIsReadyWithItsGeneration() {
    network.getMetadata().setGeneration(4L);
    var e = entry("host-a", new NodeOutcome(Optional.of(active()), true, null, null, null, 3), t0);
    KvmNetworkStatus s =
        NetworkStatusBuilder.merge(network, naming, "host-a", e, Optional.empty(), t0);
    assertThat(s.phase).isEqualTo(NetworkPhase.Ready);
    assertThat(s.observedGeneration).isEqualTo(4L);
    assertThat(s.libvirtName).isEqualTo(naming.libvirtName());
    assertThat(s.bridge).isEqualTo(naming.bridge());
    assertThat(ready(s.conditions).getStatus()).isEqualTo("True");
    assertThat(ready(s.conditions).getObservedGeneration()).isEqualTo(4L);
    assertThat(s.nodes)
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.active).isTrue();
              assertThat(n.autostart).isTrue();
              assertThat(n.leases).isEqualTo(3);
              assertThat(n.uuid).isEqualTo(network.getMetadata().getUid());
            });
  }

  @Test
  void aBlockerBecomesTheReadyReasonAndThePhase() {
    var e =
        entry(
            "host-a",
            new NodeOutcome(
                Optional.empty(),
                true,
                new Blocker("AddressConflict", "host interface dummy0 holds 10.7.0.1/24"),
                null,
                null,
                null),
            t0);
    KvmNetworkStatus s =
        NetworkStatusBuilder.merge(network, naming, "host-a", e, Optional.empty(), t0);
    assertThat(s.phase).isEqualTo(NetworkPhase.Failed);
    assertThat(ready(s.conditions).getReason()).isEqualTo("AddressConflict");
    assertThat(ready(s.conditions).getMessage())
        .isEqualTo("node host-a: host interface dummy0 holds 10.7.0.1/24");
  }

  @Test
  void otherNodesEntriesAreKeptAndMakeThePhaseDegraded() {
    var a =
        entry("host-a", new NodeOutcome(Optional.of(active()), true, null, null, null, null), t0);
    network.setStatus(
        NetworkStatusBuilder.merge(network, naming, "host-a", a, Optional.empty(), t0));
    var b =
        entry(
            "host-b",
            new NodeOutcome(
                Optional.empty(),
                true,
                new Blocker("LibvirtUnavailable", "down"),
                null,
                null,
                null),
            t0);
    KvmNetworkStatus s =
        NetworkStatusBuilder.merge(network, naming, "host-b", b, Optional.empty(), t0);
    assertThat(s.nodes).extracting(n -> n.node).containsExactly("host-a", "host-b");
    assertThat(s.phase).isEqualTo(NetworkPhase.Degraded);
    assertThat(ready(s.conditions).getMessage()).startsWith("node host-b: down");
  }

  @Test
  void readyOnlyWhenEveryNodeReportsTheCurrentGeneration() {
    network.getMetadata().setGeneration(1L);
    var a1 = entry("host-a", new NodeOutcome(Optional.of(active()), true, null, null, null, 0), t0);
    network.setStatus(
        NetworkStatusBuilder.merge(network, naming, "host-a", a1, Optional.empty(), t0));
    var b1 = entry("host-b", new NodeOutcome(Optional.of(active()), true, null, null, null, 0), t0);
    network.setStatus(
        NetworkStatusBuilder.merge(network, naming, "host-b", b1, Optional.empty(), t0));
    assertThat(ready(network.getStatus().conditions).getStatus()).isEqualTo("True");
    assertThat(Conditions.find(network.getStatus().conditions, "Reconciling")).isEmpty();

    // the spec changes; host-a applies generation 2, host-b has not yet
    network.getMetadata().setGeneration(2L);
    var a2 = entry("host-a", new NodeOutcome(Optional.of(active()), true, null, null, null, 0), t0);
    KvmNetworkStatus s =
        NetworkStatusBuilder.merge(network, naming, "host-a", a2, Optional.empty(), t0);
    assertThat(ready(s.conditions).getStatus()).isEqualTo("False");
    assertThat(ready(s.conditions).getReason()).isEqualTo("Pending");
    assertThat(ready(s.conditions).getMessage())
        .isEqualTo("node host-b: has not applied generation 2 yet (its agent may be down)");
    assertThat(Conditions.find(s.conditions, "Reconciling").orElseThrow().getStatus())
        .isEqualTo("True");
    assertThat(Conditions.find(s.conditions, "Stalled")).isEmpty();

    network.setStatus(s);
    var b2 = entry("host-b", new NodeOutcome(Optional.of(active()), true, null, null, null, 0), t0);
    KvmNetworkStatus both =
        NetworkStatusBuilder.merge(network, naming, "host-b", b2, Optional.empty(), t0);
    assertThat(ready(both.conditions).getStatus()).isEqualTo("True");
    assertThat(Conditions.find(both.conditions, "Reconciling")).isEmpty();
  }

  @Test
  void anAddressConflictStalls() {
    var e =
        entry(
            "host-a",
            new NodeOutcome(
                Optional.empty(),
                true,
                new Blocker("AddressConflict", "host interface dummy0 holds 10.7.0.1/24"),
                null,
                null,
                null),
            t0);
    KvmNetworkStatus s =
        NetworkStatusBuilder.merge(network, naming, "host-a", e, Optional.empty(), t0);
    assertThat(Conditions.find(s.conditions, "Stalled").orElseThrow().getReason())
        .isEqualTo("AddressConflict");
    assertThat(Conditions.find(s.conditions, "Reconciling")).isEmpty();
  }

  @Test
  void transitionTimeMovesOnlyWhenTheStatusFlips() {
    Instant t1 = t0.plusSeconds(60);
    var ok =
        entry("host-a", new NodeOutcome(Optional.of(active()), true, null, null, null, null), t0);
    network.setStatus(
        NetworkStatusBuilder.merge(network, naming, "host-a", ok, Optional.empty(), t0));
    var again =
        NetworkStatusBuilder.nodeEntry(
            network,
            "host-a",
            new NodeOutcome(Optional.of(active()), true, null, null, null, null),
            network.getStatus().nodes.get(0),
            t1);
    KvmNetworkStatus same =
        NetworkStatusBuilder.merge(network, naming, "host-a", again, Optional.empty(), t1);
    assertThat(ready(same.conditions).getLastTransitionTime()).isEqualTo(t0.toString());
    var down =
        NetworkStatusBuilder.nodeEntry(
            network,
            "host-a",
            new NodeOutcome(Optional.empty(), true, null, null, null, null),
            network.getStatus().nodes.get(0),
            t1);
    KvmNetworkStatus flipped =
        NetworkStatusBuilder.merge(network, naming, "host-a", down, Optional.empty(), t1);
    assertThat(ready(flipped.conditions).getLastTransitionTime()).isEqualTo(t1.toString());
    assertThat(ready(flipped.conditions).getReason()).isEqualTo("Inactive");
  }

  @Test
  void inUseIsReportedDuringDeletion() {
    network.getMetadata().setDeletionTimestamp("2026-11-22T10:00:00Z");
    KvmNetworkStatus s =
        NetworkStatusBuilder.merge(
            network,
            naming,
            "host-a",
            null,
            Optional.of(new Blocker("InUse", "deletion waits: used by KvmMachine default/web-1")),
            t0);
    assertThat(s.phase).isEqualTo(NetworkPhase.Terminating);
    assertThat(Conditions.find(s.conditions, "InUse").orElseThrow().getMessage())
        .contains("default/web-1");
    assertThat(ready(s.conditions).getReason()).isEqualTo("InUse");
  }
}
