package io.kvmop.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.FailoverSpec;
import io.kvmop.api.FailoverStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.RunStrategy;
import io.kvmop.placement.Placement;
import io.kvmop.testing.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a machine leaves a dead node: only its node's Lease decides, and only for Restart. */
class FailoverPlannerTest {
  private static final Instant RENEWED = Instant.parse("2026-12-07T10:00:00Z");
  private static final FailoverPlanner.NodeLease LEASE =
      new FailoverPlanner.NodeLease("node-a", "agent-a", RENEWED, Duration.ofSeconds(15));

  private static KvmMachine restart(String after) {
    KvmMachine m = Fixtures.machine("default", "web");
    m.getSpec().failover = new FailoverSpec();
    m.getSpec().failover.policy = "Restart";
    m.getSpec().failover.after = after;
    DiskSpec root = Fixtures.disk("root", null, "1Gi");
    root.storage = "ceph";
    m.getSpec().disks = new ArrayList<>(List.of(root));
    m.getMetadata().setLabels(new java.util.HashMap<>(Map.of(Placement.LABEL, "node-a")));
    m.setStatus(new KvmMachineStatus());
    m.getStatus().nodeName = "node-a";
    return m;
  }

  private static FailoverPlanner.Decision at(KvmMachine m, long secondsAfterRenewal) {
    return FailoverPlanner.decide(
        m,
        Optional.of(LEASE),
        RENEWED.plusSeconds(secondsAfterRenewal),
        io.kvmop.cluster.Finalizers.machine("node-a"));
  }

  @Test
  void aMachineLeavesOnlyAfterTheLeaseTheLeewayAndItsOwnWaitHavePassed() {
    KvmMachine m = restart("30s");
    assertThat(at(m, 19).kind())
        .as("the Lease (15 s) and leeway (5 s) hold")
        .isEqualTo(FailoverPlanner.Kind.NONE);
    var waiting = at(m, 21);
    assertThat(waiting.kind()).isEqualTo(FailoverPlanner.Kind.WAIT);
    assertThat(waiting.after()).isEqualTo(Duration.ofSeconds(29));
    var due = at(m, 50);
    assertThat(due.kind()).isEqualTo(FailoverPlanner.Kind.FAIL_OVER);
    assertThat(due.reason()).contains("node-a", RENEWED.toString(), "spec.failover.after 30 s");
  }

  @Test
  void noneAndHaltedAndManualAndDeletedMachinesWaitForTheirNode() {
    KvmMachine none = restart("30s");
    none.getSpec().failover.policy = "None";
    assertThat(at(none, 3600).kind()).isEqualTo(FailoverPlanner.Kind.NONE);
    KvmMachine unset = restart("30s");
    unset.getSpec().failover = null;
    assertThat(at(unset, 3600).kind()).isEqualTo(FailoverPlanner.Kind.NONE);
    for (RunStrategy r : List.of(RunStrategy.Halted, RunStrategy.Manual)) {
      KvmMachine m = restart("30s");
      m.getSpec().runStrategy = r;
      assertThat(at(m, 3600).kind()).as(r.name()).isEqualTo(FailoverPlanner.Kind.NONE);
    }
  }

  @Test
  void aMachineDeletedWhileItsNodeIsDeadIsReleasedFromElsewhereOnceItsNodeWouldHaveFailedOver() {
    KvmMachine deleted = restart("30s");
    deleted.getSpec().failover.policy = "None";
    deleted.getMetadata().setDeletionTimestamp("2026-12-07T10:00:01Z");
    deleted.getMetadata().setFinalizers(List.of(io.kvmop.cluster.Finalizers.machine("node-a")));
    assertThat(at(deleted, 19).kind()).isEqualTo(FailoverPlanner.Kind.NONE);
    assertThat(at(deleted, 30).kind()).isEqualTo(FailoverPlanner.Kind.WAIT);
    var due = at(deleted, 51);
    assertThat(due.kind()).isEqualTo(FailoverPlanner.Kind.RECLAIM);
    assertThat(due.reason()).contains("deleted while node node-a is dead");
    deleted.getMetadata().setFinalizers(List.of());
    assertThat(at(deleted, 51).kind())
        .as("node-a let go of it already")
        .isEqualTo(FailoverPlanner.Kind.NONE);
  }

  @Test
  void aNodeWithoutALeaseIsNeverJudgedDeadAndAMachineBeingPlacedIsPlacementsBusiness() {
    KvmMachine m = restart("30s");
    assertThat(
            FailoverPlanner.decide(m, Optional.empty(), RENEWED.plusSeconds(3600), "held").kind())
        .isEqualTo(FailoverPlanner.Kind.NONE);
    KvmMachine moving = restart("30s");
    moving.getStatus().nodeName = "node-b"; // handed over, the label not moved yet
    assertThat(at(moving, 3600).kind()).isEqualTo(FailoverPlanner.Kind.NONE);
  }

  @Test
  void aMachineTakenOffInStatusOnlyIsFinishedNotFencedAgain() {
    KvmMachine m = restart("30s");
    m.getStatus().nodeName = null;
    m.getStatus().failover = new FailoverStatus();
    m.getStatus().failover.fromNode = "node-a";
    m.getStatus().failover.reason = "silent";
    assertThat(at(m, 3600).kind()).isEqualTo(FailoverPlanner.Kind.FINISH);
  }

  @Test
  void anAfterTooShortOrUnreadableCountsAsTheDefault() {
    assertThat(at(restart("1s"), 20 + 59).kind()).isEqualTo(FailoverPlanner.Kind.WAIT);
    assertThat(at(restart("soon"), 21 + 61).kind()).isEqualTo(FailoverPlanner.Kind.FAIL_OVER);
  }
}
