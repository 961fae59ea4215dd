package io.kvmop.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.KvmNetwork;
import io.kvmop.api.NetworkMode;
import io.kvmop.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What kvmop refuses holds no address space: it never keeps another network off the node. */
class NetworkHoldersTest {
  private static KvmNetwork net(String name, String uid, String cidr, String created) {
    KvmNetwork n =
        Fixtures.network("default", name, uid, Fixtures.spec(NetworkMode.ISOLATED, cidr));
    n.getMetadata().setCreationTimestamp(created);
    return n;
  }

  @Test
  void aRefusedNetworkHoldsNothingAndTheNextOneInLineHoldsItsRange() {
    KvmNetwork everything = net("everything", "uid-1", "0.0.0.0/0", "2026-12-01T00:00:00Z");
    KvmNetwork unreadable = net("unreadable", "uid-2", "10.9.0.0/16", "2026-12-01T00:00:01Z");
    io.kvmop.api.Unreadable.record(unreadable, List.of("spec.mode: 'warp' is not one of ..."));
    KvmNetwork loser = net("loser", "uid-3", "10.9.1.0/24", "2026-12-01T00:00:02Z");
    KvmNetwork winner = net("winner", "uid-4", "10.9.0.0/20", "2026-12-01T00:00:03Z");
    winner.getMetadata().setCreationTimestamp("2026-12-01T00:00:01.5Z");
    KvmNetwork tenant = net("tenant", "uid-5", "10.20.0.0/24", "2026-12-02T00:00:00Z");
    List<KvmNetwork> all = List.of(tenant, loser, everything, unreadable, winner);

    assertThat(NetworkHolders.of(all, "node-a", List.of()))
        .extracting(n -> n.getMetadata().getName())
        .as("oldest first; the invalid /0 and the unreadable one hold nothing; the overlap loser")
        .containsExactly("winner", "tenant");
    assertThat(NetworkValidator.overlap(tenant, NetworkHolders.of(all, "node-a", List.of())))
        .isEmpty();
    assertThat(NetworkValidator.overlap(loser, NetworkHolders.of(all, "node-a", List.of())))
        .hasValueSatisfying(m -> assertThat(m).contains("overlaps KvmNetwork default/winner"));
  }
}
