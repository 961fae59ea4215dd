package io.kvmop.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.placement.Placement.Candidate;
import io.kvmop.placement.Placement.Request;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {
  static final long GI = 1 << 20; // KiB

  static Candidate node(String name, int cpus, long memGi, int usedCpus, long usedGi) {
    return new Candidate(
        name, Map.of("zone", name), true, false, false, cpus, memGi * GI, usedCpus, usedGi * GI);
  }

  @Test
  void theNodeWithTheMostFreeMemoryThatFitsIsChosen() {
    var d =
        Placement.decide(
            new Request(2, 4 * GI, null, false),
            List.of(node("a", 8, 16, 0, 14), node("b", 8, 16, 2, 4), node("c", 8, 32, 7, 0)));
    assertThat(d.node()).contains("b");
    assertThat(d.reasons())
        .containsExactly(
            "a: 2048Mi of 16384Mi memory free, 4096Mi wanted", "c: 1 of 8 CPUs free, 2 wanted");
  }

  @Test
  void everyNodeSaysWhyItDoesNotFit() {
    var cordoned = new Candidate("a", Map.of(), true, true, true, 8, 16 * GI, 0, 0);
    var down = new Candidate("b", Map.of(), false, false, true, 8, 16 * GI, 0, 0);
    var noKvm = new Candidate("c", Map.of("zone", "x"), true, false, false, 8, 16 * GI, 0, 0);
    var wrongZone = new Candidate("d", Map.of("zone", "y"), true, false, true, 8, 16 * GI, 0, 0);
    var small = new Candidate("e", Map.of("zone", "x"), true, false, true, 8, 2 * GI, 0, GI);
    var d =
        Placement.decide(
            new Request(1, 2 * GI, Map.of("zone", "x"), true),
            List.of(small, wrongZone, noKvm, down, cordoned));
    assertThat(d.node()).isEmpty();
    assertThat(d.explain())
        .isEqualTo(
            "a: cordoned (KvmHost spec.cordoned); b: its kvmop agent is not ready (KvmHost Ready"
                + " is not True); c: no usable KVM, and virtType is kvm; d: its labels do not"
                + " match nodeSelector zone=x; e: 1024Mi of 2048Mi memory free, 2048Mi wanted");
  }

  @Test
  void tiesGoToTheNameSoEveryAgentAgrees() {
    var d =
        Placement.decide(
            new Request(1, GI, null, false), List.of(node("b", 4, 8, 0, 0), node("a", 4, 8, 0, 0)));
    assertThat(d.node()).contains("a");
  }

  @Test
  void aNodeWhoseAgentHoldsNoLeaseIsNeverChosenAndSaysWhy() {
    var stale = new Candidate("ghost", Map.of(), true, false, true, 512, 1024 * GI, 0, 0, false);
    var live = node("a", 8, 16, 0, 0);
    var d = Placement.decide(new Request(1, GI, null, false), List.of(stale, live));
    assertThat(d.node()).hasValue("a");
    assertThat(d.explain()).contains("ghost: no kvmop agent holds its node Lease now");
  }
}
