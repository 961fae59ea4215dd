package io.kvmop.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.CephKeyRef;
import io.kvmop.api.DiskStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.KvmStoragePool;
import io.kvmop.api.SnapshotDisk;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import io.kvmop.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RBD snapshots of a machine's images: all or none, only on its own images, clones flattened. */
class RbdSnapshotsTest {
  private static final String SNAP = "kvmop-11111111-2222-3333-4444-555555555555";
  private final FakeRbd rbd = new FakeRbd();
  private RbdSnapshots snapshots;
  private KvmMachine m;

  @BeforeEach
  void setUp() {
    KvmStoragePool pool = StorageChoiceTest.rbd("ceph", false, "default");
    pool.getMetadata().setUid("pool-uid");
    StorageCatalog catalog =
        new StorageCatalog() {
          @Override
          public List<KvmStoragePool> pools() {
            return List.of(pool);
          }

          @Override
          public Optional<String> key(CephKeyRef ref) {
            return Optional.of("QVFCdGVzdGtleWZvcnVuaXR0ZXN0cw==");
          }
        };
    snapshots = new RbdSnapshots(catalog, new RbdAccess(catalog, (client, p, ns) -> rbd));
    m = Fixtures.machine("default", "web");
    m.setStatus(new KvmMachineStatus());
    m.getStatus().disks = List.of(disk("root"), disk("data"));
    for (String d : List.of("root", "data")) {
      rbd.create(image(d), 1 << 20);
      rbd.setMeta(image(d), RbdVolumes.MARK_UID, m.getMetadata().getUid());
    }
    rbd.calls.clear();
  }

  private String image(String disk) {
    return "kvmop-default-web-" + disk + "-1234abcd";
  }

  private DiskStatus disk(String name) {
    DiskStatus d = new DiskStatus();
    d.name = name;
    d.storage = "ceph";
    d.volume = image(name);
    d.path = "rbd:vms/" + image(name);
    return d;
  }

  private List<SnapshotDisk> taken() {
    return snapshots.take(m, RbdSnapshots.onRbd(m), SNAP).disks();
  }

  @Test
  void everyImageGetsTheSnapshotAndASetHalfTakenByAKilledRunIsTakenAgainWhole() {
    rbd.snapshot(image("root"), SNAP); // a run killed after the first image
    rbd.calls.clear();
    List<SnapshotDisk> disks = taken();
    assertThat(disks).extracting(d -> d.storage).containsOnly("ceph");
    assertThat(disks).extracting(d -> d.volume).containsExactly(image("root"), image("data"));
    assertThat(rbd.calls)
        .containsExactly(
            "unprotect " + image("root") + "@" + SNAP,
            "removeSnapshot " + image("root") + "@" + SNAP,
            "snapshot " + image("root") + "@" + SNAP,
            "snapshot " + image("data") + "@" + SNAP);
    rbd.calls.clear();
    assertThat(taken()).hasSize(2);
    assertThat(rbd.calls).as("taken whole: nothing is taken again").isEmpty();
    assertThat(snapshots.check(m.getMetadata().getUid(), disks, SNAP).blocker()).isNull();
  }

  @Test
  void anImageThatIsNotTheMachinesIsNeverSnapshottedRolledBackOrRemoved() {
    rbd.images.get(image("data")).meta.put(RbdVolumes.MARK_UID, "someone-else");
    var r = snapshots.take(m, RbdSnapshots.onRbd(m), SNAP);
    assertThat(r.blocker().reason()).isEqualTo(Reasons.RBD_IMAGE_CONFLICT);
    assertThat(r.blocker().message()).contains(image("data"), "someone-else");
    assertThat(rbd.calls).isEmpty();

    rbd.snapshot(image("data"), SNAP);
    rbd.calls.clear();
    SnapshotDisk d = new SnapshotDisk("data", image("data"), 1L << 20, null);
    d.storage = "ceph";
    assertThat(snapshots.rollback(m.getMetadata().getUid(), List.of(d), SNAP).blocker().reason())
        .isEqualTo(Reasons.RBD_IMAGE_CONFLICT);
    snapshots.remove(m.getMetadata().getUid(), List.of(d), SNAP);
    assertThat(rbd.calls).isEmpty();
  }

  @Test
  void aRollbackWritesEveryImageBackAndAMissingSnapshotIsSaidLost() {
    List<SnapshotDisk> disks = taken();
    rbd.grow(image("root"), 4 << 20);
    rbd.calls.clear();
    assertThat(snapshots.rollback(m.getMetadata().getUid(), disks, SNAP).blocker()).isNull();
    assertThat(rbd.calls)
        .containsExactly(
            "rollback " + image("root") + "@" + SNAP, "rollback " + image("data") + "@" + SNAP);
    assertThat(rbd.images.get(image("root")).size).isEqualTo(1 << 20);

    rbd.images.get(image("data")).snaps.clear();
    rbd.calls.clear();
    var lost = snapshots.rollback(m.getMetadata().getUid(), disks, SNAP);
    assertThat(lost.blocker().reason()).isEqualTo(Reasons.SNAPSHOT_LOST);
    assertThat(rbd.calls).as("nothing rolled back when one image lacks it").isEmpty();
  }

  @Test
  void removingTheSnapshotFlattensKvmopsClonesAndAForeignCloneKeepsIt() {
    List<SnapshotDisk> disks = taken();
    rbd.clone(image("root"), SNAP, "kvmop-default-copy-root-99999999");
    rbd.setMeta("kvmop-default-copy-root-99999999", RbdVolumes.MARK_UID, "copy-uid");
    rbd.clone(image("data"), SNAP, "someones-clone");
    rbd.calls.clear();
    List<Happened> done = snapshots.remove(m.getMetadata().getUid(), disks, SNAP);
    assertThat(rbd.calls)
        .contains("flatten kvmop-default-copy-root-99999999")
        .contains("removeSnapshot " + image("root") + "@" + SNAP)
        .doesNotContain("flatten someones-clone")
        .doesNotContain("removeSnapshot " + image("data") + "@" + SNAP);
    assertThat(rbd.images.get("kvmop-default-copy-root-99999999").parent).isNull();
    assertThat(done)
        .extracting(Happened::reason)
        .contains(Reasons.RBD_IMAGE_FLATTENED, Reasons.SNAPSHOT_DELETED);
    assertThat(done)
        .filteredOn(h -> h.reason().equals(Reasons.RBD_IMAGE_CONFLICT))
        .singleElement()
        .satisfies(h -> assertThat(h.message()).contains("someones-clone", "not kvmop's"));
  }

  @Test
  void theMachinesDeletionRemovesItsSnapshotsBeforeItsImages() {
    taken();
    rbd.calls.clear();
    RbdLeftovers leftovers =
        new RbdLeftovers(
            new RbdAccess(
                new StorageCatalog() {
                  @Override
                  public List<KvmStoragePool> pools() {
                    return List.of();
                  }

                  @Override
                  public Optional<String> key(CephKeyRef ref) {
                    return Optional.of("QVFCdGVzdGtleWZvcnVuaXR0ZXN0cw==");
                  }
                },
                (client, p, ns) -> rbd),
            snapshots);
    KvmStoragePool pool = StorageChoiceTest.rbd("ceph", false, "default");
    pool.getMetadata().setUid("pool-uid");
    List<Happened> done = new ArrayList<>(leftovers.release(pool, m, m.getStatus().disks));
    assertThat(rbd.images).isEmpty();
    assertThat(rbd.calls.indexOf("removeSnapshot " + image("root") + "@" + SNAP))
        .isLessThan(rbd.calls.indexOf("remove " + image("root")));
    assertThat(done).extracting(Happened::reason).contains(Reasons.VOLUME_DELETED);
  }

  @Test
  void aFullPoolTakesNoSnapshotAndNoRollbackAndSaysWhy() {
    List<SnapshotDisk> disks = taken();
    rbd.full = "its quota is reached";
    rbd.calls.clear();
    var r = snapshots.take(m, RbdSnapshots.onRbd(m), "kvmop-other");
    assertThat(r.blocker().reason()).isEqualTo(Reasons.STORAGE_FULL);
    assertThat(r.blocker().message())
        .contains("KvmStoragePool ceph", "quota", "nothing was written");
    assertThat(snapshots.rollback(m.getMetadata().getUid(), disks, SNAP).blocker().reason())
        .isEqualTo(Reasons.STORAGE_FULL);
    assertThat(rbd.calls).isEmpty();
  }
}
