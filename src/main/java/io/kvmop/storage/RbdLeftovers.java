package io.kvmop.storage;

import io.kvmop.api.DiskStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmStoragePool;
import io.kvmop.ceph.CephError;
import io.kvmop.ceph.RbdPort;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * What a machine leaves in an rbd pool: the images of disks removed from its spec (kept, as they
 * may hold data, and said once with the command that removes them) and, on its deletion, every
 * image of its disks by reclaimPolicy. Only images carrying the machine's mark are ever removed.
 */
final class RbdLeftovers {
  private final RbdAccess access;

  /** pool uid + image: images of disks no longer in spec, already said to be kept. */
  private final Set<String> keptSaid = ConcurrentHashMap.newKeySet();

  private final RbdSnapshots snapshots;

  RbdLeftovers(RbdAccess access, RbdSnapshots snapshots) {
    this.access = access;
    this.snapshots = snapshots;
  }

  /**
   * Images of this machine's name and uid in the pool whose disk is no longer in spec.disks (a disk
   * removed, detached): kept, as they may hold data, and said once with the command that removes
   * them, as for a volume in the node's pool.
   */
  void kept(
      RbdAccess.Reached at,
      KvmMachine m,
      String domain,
      List<RbdDisk> disks,
      Set<String> images,
      List<Happened> done) {
    String uid8 = m.getMetadata().getUid().replace("-", "").substring(0, 8);
    Set<String> wanted = disks.stream().map(RbdDisk::image).collect(Collectors.toSet());
    for (String image : images) {
      if (!image.startsWith(domain + "-")
          || !image.endsWith("-" + uid8)
          || wanted.contains(image)
          || !keptSaid.add(at.pool().getMetadata().getUid() + "/" + image)) {
        continue;
      }
      if (!m.getMetadata().getUid().equals(at.images().meta(image).get(RbdVolumes.MARK_UID))) {
        continue; // not this machine's: never ours to speak of
      }
      String ns = at.spec().namespaceOrEmpty();
      done.add(
          new Happened(
              Reasons.VOLUME_KEPT,
              "RBD image "
                  + at.spec().pool
                  + "/"
                  + (ns.isEmpty() ? "" : ns + "/")
                  + image
                  + " belongs to a disk no longer in spec.disks; kvmop keeps it (it may hold"
                  + " data): remove it with rbd rm "
                  + at.spec().pool
                  + "/"
                  + (ns.isEmpty() ? "" : ns + "/")
                  + image
                  + ", or add the disk back"));
    }
  }

  /**
   * Removes the machine's images on {@code pool} that carry its mark (Delete), or says they are
   * kept (Retain); an image of a disk's name that is not the machine's is left alone, and said.
   */
  public List<Happened> release(KvmStoragePool pool, KvmMachine m, List<DiskStatus> disks) {
    List<Happened> out = new ArrayList<>();
    RbdAccess.Result reached = access.reach(pool);
    if (reached.blocker() != null) {
      out.add(
          new Happened(
              Reasons.STORAGE_UNAVAILABLE,
              "RBD images of disks "
                  + disks.stream().map(d -> d.name).toList()
                  + " kept: "
                  + reached.blocker().message()));
      return out;
    }
    RbdAccess.Reached at = reached.reached();
    String uid = m.getMetadata().getUid();
    Map<String, RbdPort.Image> images;
    try {
      images = RbdVolumes.byName(at.images());
    } catch (CephError e) {
      out.add(
          new Happened(
              Reasons.STORAGE_UNAVAILABLE,
              "RBD images kept: " + RbdTrouble.unavailable(at, e).message()));
      return out;
    }
    for (DiskStatus d : disks) {
      try {
        if (!images.containsKey(d.volume)) {
          continue;
        }
        if (!uid.equals(at.images().meta(d.volume).get(RbdVolumes.MARK_UID))) {
          out.add(
              new Happened(
                  Reasons.RBD_IMAGE_CONFLICT,
                  "RBD image " + d.volume + " is not this machine's: left alone"));
        } else if ("Retain".equals(d.reclaimPolicy)) {
          out.add(
              new Happened(
                  Reasons.VOLUME_RETAINED,
                  "kept RBD image "
                      + at.spec().pool
                      + "/"
                      + d.volume
                      + " of disk "
                      + d.name
                      + " (reclaimPolicy Retain)"));
        } else {
          snapshots.removeAll(at, images.get(d.volume), out); // an image with snapshots stays
          at.images().remove(d.volume);
          out.add(
              new Happened(
                  Reasons.VOLUME_DELETED,
                  "removed RBD image " + at.spec().pool + "/" + d.volume + " of disk " + d.name));
        }
      } catch (CephError e) {
        out.add(new Happened(Reasons.STORAGE_UNAVAILABLE, RbdTrouble.unavailable(at, e).message()));
      }
    }
    return out;
  }
}
