package io.kvmop.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.AddressAllocation;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmHostStatus;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkStatus;
import io.kvmop.api.NodeNetworkStatus;
import io.kvmop.status.Conditions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MachineInputsTest {
  private static KvmNetwork network(boolean readyHere, int leases, int otherLeases) {
    KvmNetwork n = new KvmNetwork();
    n.getMetadata().setName("lab");
    n.getMetadata().setGeneration(1L);
    n.setStatus(new KvmNetworkStatus());
    n.getStatus().nodes = new ArrayList<>(List.of(entry("node-a", readyHere, leases)));
    n.getStatus().nodes.add(entry("node-b", true, otherLeases));
    return n;
  }

  private static NodeNetworkStatus entry(String node, boolean ready, int leases) {
    NodeNetworkStatus e = new NodeNetworkStatus();
    e.node = node;
    e.leases = leases;
    e.conditions =
        new Conditions(List.of(), 1L, java.time.Instant.EPOCH)
            .set(Conditions.READY, ready, ready ? "Active" : "Inactive", "msg")
            .build();
    return e;
  }

  @Test
  void aNetworkWakesItsMachinesOnlyForWhatAMachinePassReads() {
    assertThat(MachineInputs.networkMatters(network(true, 5, 0), network(true, 4, 0), "node-a"))
        .as("a lease more")
        .isFalse();
    assertThat(MachineInputs.networkMatters(network(true, 0, 9), network(true, 0, 0), "node-a"))
        .as("another node's entry")
        .isFalse();
    assertThat(MachineInputs.networkMatters(network(true, 0, 0), network(false, 0, 0), "node-a"))
        .as("ready on this node now")
        .isTrue();
    KvmNetwork edited = network(true, 0, 0);
    edited.getMetadata().setGeneration(2L);
    assertThat(MachineInputs.networkMatters(edited, network(true, 0, 0), "node-a")).isTrue();
    KvmNetwork allocated = network(true, 0, 0);
    AddressAllocation a = new AddressAllocation();
    a.mac = "52:54:00:00:00:01";
    allocated.getStatus().addresses = List.of(a);
    assertThat(MachineInputs.networkMatters(allocated, network(true, 0, 0), "node-a"))
        .as("a spanning network gave out an address")
        .isTrue();
  }

  @Test
  void aHostWakesItsMachinesForItsSpecNotItsStatus() {
    KvmHost before = new KvmHost();
    before.getMetadata().setGeneration(1L);
    KvmHost published = new KvmHost();
    published.getMetadata().setGeneration(1L);
    published.setStatus(new KvmHostStatus());
    assertThat(MachineInputs.hostMatters(published, before)).isFalse();
    KvmHost policy = new KvmHost();
    policy.getMetadata().setGeneration(2L);
    assertThat(MachineInputs.hostMatters(policy, before)).isTrue();
  }
}
