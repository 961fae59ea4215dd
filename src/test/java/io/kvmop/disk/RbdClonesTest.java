package io.kvmop.disk;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmMachineSnapshotSpec;
import io.kvmop.api.KvmMachineSnapshotStatus;
import io.kvmop.api.SnapshotDisk;
import io.kvmop.api.SnapshotPhase;
import io.kvmop.api.SnapshotSource;
import io.kvmop.status.Reasons;
import io.kvmop.storage.RbdDisk;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which RBD snapshot a disk on an rbd pool starts as, and why not. */
class RbdClonesTest {
  private KvmMachineSnapshot snapshot(SnapshotPhase phase, String storage) {
    KvmMachineSnapshot s = new KvmMachineSnapshot();
    s.getMetadata().setName("snap-a");
    s.getMetadata().setNamespace("team-a");
    s.getMetadata().setUid("5e5e5e5e-0000-0000-0000-000000000001");
    s.setSpec(new KvmMachineSnapshotSpec());
    s.getSpec().machine = "web";
    s.setStatus(new KvmMachineSnapshotStatus());
    s.getStatus().phase = phase;
    s.getStatus().nodeName = "node-a";
    s.getStatus().machineUid = "machine-uid";
    s.getStatus().libvirtName = s.libvirtName();
    SnapshotDisk d = new SnapshotDisk("data", "kvmop-team-a-web-data-12345678", 8L << 20, null);
    d.storage = storage;
    s.getStatus().disks = List.of(d);
    return s;
  }

  private RbdDisk.FromSnapshot resolve(KvmMachineSnapshot s, String pool, String disk) {
    DiskSpec d = new DiskSpec();
    d.name = "data";
    d.storage = pool;
    d.snapshot = new SnapshotSource();
    d.snapshot.name = "snap-a";
    d.snapshot.disk = disk;
    return RbdClones.resolve(
        "team-a",
        d,
        "spec.disks[0] (data)",
        pool,
        (ns, n) -> ns.equals("team-a") && s != null ? Optional.of(s) : Optional.empty());
  }

  @Test
  void aReadySnapshotOnThePoolGivesItsImageAndSnapshot() {
    var f = resolve(snapshot(SnapshotPhase.Ready, "ceph"), "ceph", null);
    assertThat(f.notYet()).isNull();
    assertThat(f.image()).isEqualTo("kvmop-team-a-web-data-12345678");
    assertThat(f.snap()).isEqualTo("kvmop-5e5e5e5e-0000-0000-0000-000000000001");
    assertThat(f.machineUid()).isEqualTo("machine-uid");
    assertThat(f.capacity()).isEqualTo(8L << 20);
  }

  @Test
  void whatCannotBeClonedSaysWhyAndWhatWouldDo() {
    assertThat(resolve(null, "ceph", null).notYet().reason()).isEqualTo(Reasons.SNAPSHOT_NOT_FOUND);
    assertThat(resolve(snapshot(SnapshotPhase.Pending, "ceph"), "ceph", null).notYet().reason())
        .isEqualTo(Reasons.SNAPSHOT_NOT_READY);
    var otherPool = resolve(snapshot(SnapshotPhase.Ready, "ceph"), "fast", null).notYet();
    assertThat(otherPool.reason()).isEqualTo(Reasons.INVALID_SPEC);
    assertThat(otherPool.message()).contains(".storage", "set storage to ceph");
    var local = resolve(snapshot(SnapshotPhase.Ready, null), "ceph", null).notYet();
    assertThat(local.message()).contains("directory pool", "leave storage out");
    var noDisk = resolve(snapshot(SnapshotPhase.Ready, "ceph"), "ceph", "root").notYet();
    assertThat(noDisk.message()).contains(".snapshot.disk", "no disk root", "it holds data");
  }
}
