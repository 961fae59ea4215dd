package io.kvmop.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineRestore;
import io.kvmop.api.KvmMachineRestoreSpec;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmMachineSnapshotSpec;
import io.kvmop.api.RestorePhase;
import io.kvmop.api.SnapshotPhase;
import io.kvmop.libvirt.DomainState.RunState;
import io.kvmop.libvirt.SnapshotState;
import io.kvmop.machine.MachineRealizer;
import io.kvmop.testing.FakeLibvirt;
import io.kvmop.testing.Fixtures;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot and a restore interrupted at every libvirt call (the agent dies there: what it had in
 * memory and the status of the pass are lost), then run again by a fresh agent: they end as an
 * uninterrupted run does. One libvirt snapshot, the guest's filesystems thawed, the machine
 * running, the restore done.
 */
class SnapshotCrashTest {
  @TempDir Path dir;

  /** One node: its libvirt survives a crash, the agent's objects do not. */
  final class World {
    final FakeLibvirt libvirt = new FakeLibvirt();
    final KvmMachine m = Fixtures.machine("default", "web-1");
    final KvmMachineSnapshot s = new KvmMachineSnapshot();
    final KvmMachineRestore r = new KvmMachineRestore();

    World() {
      m.getSpec().nodeName = "host-a";
      m.getSpec().memory = "512Mi";
      m.getSpec().virtType = io.kvmop.api.VirtType.QEMU;
      s.setMetadata(
          new ObjectMetaBuilder()
              .withNamespace("default")
              .withName("snap")
              .withUid("5a0b0000-0000-4000-8000-000000000001")
              .withGeneration(1L)
              .build());
      s.setSpec(new KvmMachineSnapshotSpec());
      s.getSpec().machine = "web-1";
      r.setMetadata(
          new ObjectMetaBuilder()
              .withNamespace("default")
              .withName("back")
              .withGeneration(1L)
              .build());
      r.setSpec(new KvmMachineRestoreSpec());
      r.getSpec().machine = "web-1";
      r.getSpec().snapshot = "snap";
    }

    MachineRealizer agent() {
      return io.kvmop.testing.Realizers.hostA(libvirt, dir);
    }

    /** Passes of a fresh agent until the snapshot is Ready and the restore done (or a crash). */
    void run() {
      MachineRealizer machines = agent();
      SnapshotKeeper keeper = new SnapshotKeeper("host-a", libvirt, machines, Clock.systemUTC());
      Restorer restorer = new Restorer("host-a", libvirt, machines, Clock.systemUTC());
      for (int pass = 0; pass < 10; pass++) {
        var o = keeper.keep(s, m);
        s.setStatus(o.status()); // written once the pass is through
        if (s.getStatus().phase != SnapshotPhase.Ready) {
          continue;
        }
        var ro = restorer.restore(r, m, s);
        r.setStatus(ro.status());
        if (r.getStatus().phase == RestorePhase.Succeeded) {
          return;
        }
      }
    }
  }

  World started() {
    World w = new World();
    w.m.setStatus(w.agent().realize(w.m, List.of()).status());
    assertThat(w.libvirt.domains().findDomain("kvmop-default-web-1").orElseThrow().running())
        .isTrue();
    return w;
  }

  @Test
  void interruptedAtEveryCallAndRunAgainItEndsAsAnUninterruptedRun() {
    World clean = started();
    int before = clean.libvirt.callCount();
    clean.run();
    int calls = clean.libvirt.callCount() - before;
    assertThat(clean.r.getStatus().phase).isEqualTo(RestorePhase.Succeeded);
    int crashes = 0;
    for (int k = 0; k < calls; k++) {
      World w = started();
      w.libvirt.crashAtCall(k);
      try {
        w.run();
      } catch (FakeLibvirt.Crash e) {
        crashes++;
      }
      w.run(); // a fresh agent, with the status written before the crash
      String at = "crashed at call " + k;
      assertThat(w.s.getStatus().phase).as(at).isEqualTo(SnapshotPhase.Ready);
      assertThat(w.r.getStatus().phase).as(at).isEqualTo(RestorePhase.Succeeded);
      assertThat(w.libvirt.snapshots.listSnapshots("kvmop-default-web-1"))
          .as(at)
          .extracting(SnapshotState::name)
          .containsExactly("kvmop-5a0b0000-0000-4000-8000-000000000001");
      assertThat(w.libvirt.snapshots.frozen).as(at + ": thawed").isZero();
      assertThat(w.libvirt.domains().findDomain("kvmop-default-web-1").orElseThrow().state())
          .as(at)
          .isEqualTo(RunState.RUNNING);
    }
    assertThat(crashes).as("every call was a crash point").isEqualTo(calls);
    System.out.printf("snapshot and restore: %d calls, interrupted at each%n", calls);
  }
}
