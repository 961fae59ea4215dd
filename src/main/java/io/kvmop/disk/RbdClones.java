package io.kvmop.disk;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmMachineSnapshotStatus;
import io.kvmop.api.SnapshotDisk;
import io.kvmop.status.Blocker;
import io.kvmop.status.Reasons;
import io.kvmop.storage.RbdDisk;
import io.kvmop.storage.RbdSnapshots;
import java.util.List;
import java.util.Optional;

/**
 * Which RBD snapshot a disk on an rbd pool starts as, when its spec names a KvmMachineSnapshot of
 * the same namespace: that snapshot's disk must be an RBD image in the same KvmStoragePool (a clone
 * is copy-on-write within a pool). Unlike a clone in a node's directory pool, it may run on any
 * node. Whether the image is still the snapshotted machine's is checked in Ceph when cloning.
 */
final class RbdClones {
  private RbdClones() {}

  static RbdDisk.FromSnapshot resolve(
      String namespace,
      DiskSpec d,
      String field,
      String pool,
      DiskProvisioner.SnapshotLookup snapshots) {
    String name = d.snapshot.name;
    Optional<KvmMachineSnapshot> found = snapshots.find(namespace, name);
    Blocker notReady = SnapshotClones.notReady(found, namespace, name, field);
    if (notReady != null) {
      return new RbdDisk.FromSnapshot(null, null, null, null, 0, notReady);
    }
    KvmMachineSnapshotStatus st = found.get().getStatus();
    String disk = d.snapshot.disk == null ? d.name : d.snapshot.disk;
    List<SnapshotDisk> held = st.disks == null ? List.of() : st.disks;
    if (!RbdSnapshots.isRbd(held)) {
      return notYet(
          Reasons.INVALID_SPEC,
          field
              + ".storage: snapshot "
              + name
              + " is held in node "
              + st.nodeName
              + "'s directory pool, and this disk is on KvmStoragePool "
              + pool
              + " (rbd); a clone is made where its snapshot is: leave storage out, or name a"
              + " snapshot of a machine on "
              + pool);
    }
    Optional<SnapshotDisk> from = held.stream().filter(x -> disk.equals(x.name)).findFirst();
    if (from.isEmpty()) {
      return notYet(
          Reasons.INVALID_SPEC,
          field
              + ".snapshot.disk: snapshot "
              + name
              + " holds no disk "
              + disk
              + "; it holds "
              + String.join(", ", held.stream().map(x -> x.name).toList()));
    }
    if (!pool.equals(from.get().storage)) {
      return notYet(
          Reasons.INVALID_SPEC,
          field
              + ".storage: disk "
              + disk
              + " of snapshot "
              + name
              + " is on KvmStoragePool "
              + from.get().storage
              + ", and this disk on "
              + pool
              + "; an RBD clone stays in its snapshot's pool: set storage to "
              + from.get().storage);
    }
    return new RbdDisk.FromSnapshot(
        name,
        from.get().volume,
        st.libvirtName,
        st.machineUid,
        from.get().capacityBytes == null ? 0 : from.get().capacityBytes,
        null);
  }

  private static RbdDisk.FromSnapshot notYet(String reason, String message) {
    return new RbdDisk.FromSnapshot(null, null, null, null, 0, new Blocker(reason, message));
  }
}
