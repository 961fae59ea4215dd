package io.kvmop.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.DrainPhase;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.KvmMachineMigrationSpec;
import io.kvmop.api.KvmMachineMigrationStatus;
import io.kvmop.api.MachinePhase;
import io.kvmop.api.MigrationPhase;
import io.kvmop.status.Conditions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrainPlannerTest {
  static KvmMachine machine(String name, String uid, MachinePhase phase) {
    KvmMachine m = MigrationChecksTest.running(name);
    m.getMetadata().setUid(uid);
    m.getStatus().phase = phase;
    return m;
  }

  static KvmMachineMigration drainOf(KvmMachine m, MigrationPhase phase, String created) {
    KvmMachineMigration g = new KvmMachineMigration();
    g.getMetadata().setNamespace("default");
    g.getMetadata().setName("g-" + m.getMetadata().getName() + created);
    g.getMetadata().setCreationTimestamp(created);
    g.setSpec(new KvmMachineMigrationSpec());
    g.getSpec().machine = m.getMetadata().getName();
    if (phase != null) {
      g.setStatus(new KvmMachineMigrationStatus());
      g.getStatus().phase = phase;
      g.getStatus().machineUid = m.getMetadata().getUid();
      g.getStatus().conditions =
          new Conditions(null, 1L, Instant.EPOCH)
              .set("Ready", false, "TargetRefused", "node b has no room")
              .build();
    }
    return g;
  }

  @Test
  void eachMachineMovesOnceAndWhatCannotMoveSaysWhy() {
    KvmMachine free = machine("free", "11111111-0000-0000-0000-000000000001", MachinePhase.Running);
    KvmMachine moving =
        machine("moving", "22222222-0000-0000-0000-000000000002", MachinePhase.Running);
    KvmMachine failed =
        machine("failed", "33333333-0000-0000-0000-000000000003", MachinePhase.Running);
    KvmMachine stopped =
        machine("stopped", "44444444-0000-0000-0000-000000000004", MachinePhase.Stopped);
    KvmMachine pinned =
        machine("pinned", "55555555-0000-0000-0000-000000000005", MachinePhase.Running);
    pinned.getSpec().nodeName = "a";
    var plan =
        DrainPlanner.plan(
            "a",
            List.of(free, moving, failed, stopped, pinned),
            List.of(
                drainOf(moving, MigrationPhase.Migrating, "2026-11-29T10:00:00Z"),
                drainOf(failed, MigrationPhase.Failed, "2026-11-29T10:00:00Z")));
    assertThat(plan.migrate())
        .singleElement()
        .satisfies(
            mv -> {
              assertThat(mv.machine()).isSameAs(free);
              assertThat(mv.name()).isEqualTo("drain-a-free-11111111-1");
            });
    assertThat(plan.status().phase).isEqualTo(DrainPhase.Draining);
    assertThat(plan.status().moving).containsExactly("default/free", "default/moving");
    assertThat(plan.status().cannotMove)
        .extracting(u -> u.machine + ": " + u.reason)
        .containsExactly(
            "default/failed: migration g-failed2026-11-29T10:00:00Z failed: node b has no room"
                + " (delete it to try again)",
            "default/pinned: spec.nodeName pins it to node a: kvmop never writes spec, so remove"
                + " nodeName (or use nodeSelector) to let it move",
            "default/stopped: not running (Stopped): its local disks move only with a running"
                + " machine; start it to move it, or delete it");
  }

  @Test
  void aMachineMovedBackGetsANewMigrationAndAnEmptyHostIsDrained() {
    KvmMachine back = machine("back", "66666666-0000-0000-0000-000000000006", MachinePhase.Running);
    var plan =
        DrainPlanner.plan(
            "a",
            List.of(back),
            List.of(drainOf(back, MigrationPhase.Succeeded, "2026-11-29T09:00:00Z")));
    assertThat(plan.migrate())
        .extracting(DrainPlanner.Move::name)
        .containsExactly("drain-a-back-66666666-2");
    assertThat(DrainPlanner.plan("a", List.of(), List.of()).status().phase)
        .isEqualTo(DrainPhase.Drained);
    KvmMachine stuck =
        machine("stuck", "77777777-0000-0000-0000-000000000007", MachinePhase.Stopped);
    assertThat(DrainPlanner.plan("a", List.of(stuck), List.of()).status().phase)
        .isEqualTo(DrainPhase.Blocked);
  }
}
