package io.kvmop.storage;

import io.kvmop.api.DiskStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmStoragePool;
import io.kvmop.api.SnapshotDisk;
import io.kvmop.ceph.CephError;
import io.kvmop.ceph.RbdPort;
import io.kvmop.status.Blocker;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Snapshots of a machine whose disks are RBD images: one RBD snapshot of each image under the
 * KvmMachineSnapshot's name, taken all or none, checked, rolled back and removed, only ever on
 * images that carry the machine's mark. Being in Ceph, they are reachable from every node that
 * reaches the pool, not only from the node that took them.
 */
public final class RbdSnapshots {
  /** Snapshot names kvmop gives (a KvmMachineSnapshot's libvirtName); the base's is apart. */
  static final String PREFIX = "kvmop-";

  /** What was done, or why not; {@code disks} the snapshot's disks when taken. */
  public record Result(List<SnapshotDisk> disks, Blocker blocker, List<Happened> done) {
    static Result blocked(Blocker b, List<Happened> done) {
      return new Result(List.of(), b, done);
    }
  }

  private final StorageCatalog catalog;
  private final RbdAccess access;

  RbdSnapshots(StorageCatalog catalog, RbdAccess access) {
    this.catalog = catalog;
    this.access = access;
  }

  /** The machine's disks that its status says are RBD images (empty when none is). */
  public static List<DiskStatus> onRbd(KvmMachine m) {
    if (m.getStatus() == null || m.getStatus().disks == null) {
      return List.of();
    }
    return m.getStatus().disks.stream()
        .filter(d -> d.path != null && d.path.startsWith("rbd:") && d.storage != null)
        .toList();
  }

  /** Whether a snapshot's disks are RBD images (it is then an RBD snapshot). */
  public static boolean isRbd(List<SnapshotDisk> disks) {
    return disks != null && !disks.isEmpty() && disks.stream().allMatch(d -> d.storage != null);
  }

  /**
   * Takes {@code snap} of every image of {@code disks}, or of none: a set a killed run left half
   * taken is removed and taken again (the caller holds the guest still throughout).
   */
  public Result take(KvmMachine m, List<DiskStatus> disks, String snap) {
    List<Happened> done = new ArrayList<>();
    String uid = m.getMetadata().getUid();
    Map<DiskStatus, RbdAccess.Reached> at = new LinkedHashMap<>();
    for (DiskStatus d : disks) {
      RbdAccess.Result r = reach(d.storage);
      if (r.blocker() != null) {
        return Result.blocked(r.blocker(), done);
      }
      at.put(d, r.reached());
    }
    RbdAccess.Reached last = null;
    try {
      for (RbdAccess.Reached a : at.values()) {
        last = a;
        Optional<Blocker> full = RbdTrouble.full(a, "The snapshot " + snap);
        if (full.isPresent()) {
          return Result.blocked(full.get(), done);
        }
      }
      List<DiskStatus> missing = new ArrayList<>();
      List<DiskStatus> having = new ArrayList<>();
      for (var e : at.entrySet()) {
        last = e.getValue();
        Optional<RbdPort.Image> img = image(e.getValue(), e.getKey().volume);
        Optional<Blocker> notOurs = notOurs(e.getValue(), e.getKey(), img, uid);
        if (notOurs.isPresent()) {
          return Result.blocked(notOurs.get(), done);
        }
        (img.get().snapshot(snap).isPresent() ? having : missing).add(e.getKey());
      }
      if (!missing.isEmpty()) {
        for (DiskStatus d : having) { // a killed run's half: its images are from another moment
          last = at.get(d);
          drop(at.get(d), d.volume, snap);
        }
        for (DiskStatus d : disks) {
          last = at.get(d);
          last.images().snapshot(d.volume, snap);
        }
      }
      List<SnapshotDisk> out = new ArrayList<>();
      for (DiskStatus d : disks) {
        last = at.get(d);
        RbdPort.Image img = image(last, d.volume).orElseThrow();
        SnapshotDisk s =
            new SnapshotDisk(
                d.name,
                d.volume,
                img.snapshot(snap).map(RbdPort.Snapshot::size).orElse(img.size()),
                d.backingImage);
        s.storage = d.storage;
        out.add(s);
      }
      return new Result(out, null, done);
    } catch (CephError e) {
      return Result.blocked(RbdTrouble.unavailable(last, e), done);
    }
  }

  /**
   * Null when every image of the snapshot is still the machine's and holds it; else what is
   * missing. A pool that cannot be reached now gives a blocker (nothing is known then).
   */
  public Result check(String machineUid, List<SnapshotDisk> disks, String snap) {
    return each(
        machineUid,
        disks,
        snap,
        (at, d, img) -> {
          if (img.snapshot(snap).isEmpty()) {
            return new Blocker(
                Reasons.SNAPSHOT_LOST,
                "RBD image "
                    + at.spec().pool
                    + "/"
                    + d.volume
                    + " no longer has snapshot "
                    + snap
                    + " (removed outside kvmop?)");
          }
          return null;
        });
  }

  /**
   * Writes every image back to {@code snap}. The machine's domain must not run: QEMU holds the
   * images open while it does.
   */
  public Result rollback(String machineUid, List<SnapshotDisk> disks, String snap) {
    Result checked = check(machineUid, disks, snap);
    if (checked.blocker() != null) {
      return checked;
    }
    List<Happened> done = new ArrayList<>();
    return each(
        machineUid,
        disks,
        snap,
        (at, d, img) -> {
          Optional<Blocker> full = RbdTrouble.full(at, "The restore");
          if (full.isPresent()) {
            return full.get();
          }
          at.images().rollback(d.volume, snap);
          done.add(
              new Happened(
                  Reasons.RESTORED,
                  "rolled RBD image " + at.spec().pool + "/" + d.volume + " back to " + snap));
          return null;
        },
        done);
  }

  /**
   * Removes {@code snap} from the images that still are the machine's; the machines cloned from it
   * are flattened first (they then stand alone), a clone that is not kvmop's keeps it there.
   */
  public List<Happened> remove(String machineUid, List<SnapshotDisk> disks, String snap) {
    List<Happened> done = new ArrayList<>();
    Result r =
        each(
            machineUid,
            disks,
            snap,
            (at, d, img) ->
                img.snapshot(snap).isEmpty() ? null : dropWithClones(at, d.volume, snap, done),
            done);
    if (r.blocker() != null && !Reasons.SNAPSHOT_LOST.equals(r.blocker().reason())) {
      done.add(new Happened(r.blocker().reason(), "snapshot kept: " + r.blocker().message()));
    }
    return done; // an image gone took its snapshots with it
  }

  /** Image metadata naming the snapshot for which kvmop paused the guest, while it is paused. */
  static final String MARK_PAUSED = "kvmop.pausedFor";

  /**
   * Whether the guest was paused by kvmop to take {@code snap} (a run killed before it resumed it
   * leaves the guest paused, and this says so to the next run).
   */
  public boolean pausedFor(List<DiskStatus> disks, String snap) {
    RbdAccess.Result r = reach(disks.get(0).storage);
    if (r.blocker() != null) {
      return false;
    }
    try {
      return snap.equals(r.reached().images().meta(disks.get(0).volume).get(MARK_PAUSED));
    } catch (CephError e) {
      return false;
    }
  }

  /** Notes (value {@code snap}) or clears (null) that kvmop pauses the guest for a snapshot. */
  public Optional<Blocker> notePause(List<DiskStatus> disks, String snap) {
    RbdAccess.Result r = reach(disks.get(0).storage);
    if (r.blocker() != null) {
      return Optional.of(r.blocker());
    }
    try {
      RbdPort images = r.reached().images();
      if (snap != null) {
        images.setMeta(disks.get(0).volume, MARK_PAUSED, snap);
      } else {
        images.removeMeta(disks.get(0).volume, MARK_PAUSED);
      }
      return Optional.empty();
    } catch (CephError e) {
      return Optional.of(RbdTrouble.unavailable(r.reached(), e));
    }
  }

  /** Removes every snapshot kvmop took of {@code image}, so that the image itself can go. */
  void removeAll(RbdAccess.Reached at, RbdPort.Image image, List<Happened> done) {
    for (RbdPort.Snapshot s : image.snapshots()) {
      if (s.name().startsWith(PREFIX)) {
        Blocker b = dropWithClones(at, image.name(), s.name(), done);
        if (b != null) {
          done.add(new Happened(b.reason(), b.message()));
        }
      }
    }
  }

  private Blocker dropWithClones(
      RbdAccess.Reached at, String image, String snap, List<Happened> done) {
    for (RbdPort.Image child : at.images().images()) {
      if (child.parent().isEmpty()
          || !child.parent().get().image().equals(image)
          || !child.parent().get().snapshot().equals(snap)) {
        continue;
      }
      if (!at.images().meta(child.name()).containsKey(RbdVolumes.MARK_UID)) {
        return new Blocker(
            Reasons.RBD_IMAGE_CONFLICT,
            "RBD image "
                + at.spec().pool
                + "/"
                + child.name()
                + " is a clone of "
                + image
                + "@"
                + snap
                + " and is not kvmop's; the snapshot stays until it is removed or flattened (rbd"
                + " flatten)");
      }
      at.images().flatten(child.name());
      done.add(
          new Happened(
              Reasons.RBD_IMAGE_FLATTENED,
              "flattened RBD image "
                  + child.name()
                  + " (a clone of "
                  + image
                  + "@"
                  + snap
                  + "), which now holds all its data itself"));
    }
    drop(at, image, snap);
    done.add(
        new Happened(
            Reasons.SNAPSHOT_DELETED,
            "removed RBD snapshot " + at.spec().pool + "/" + image + "@" + snap));
    return null;
  }

  private static void drop(RbdAccess.Reached at, String image, String snap) {
    Optional<RbdPort.Snapshot> s = image(at, image).flatMap(i -> i.snapshot(snap));
    if (s.isEmpty()) {
      return;
    }
    if (s.get().isProtected()) {
      at.images().unprotect(image, snap);
    }
    at.images().removeSnapshot(image, snap);
  }

  @FunctionalInterface
  private interface Step {
    /** Null to go on, or why it stopped. */
    Blocker on(RbdAccess.Reached at, SnapshotDisk d, RbdPort.Image img);
  }

  private Result each(String uid, List<SnapshotDisk> disks, String snap, Step step) {
    return each(uid, disks, snap, step, new ArrayList<>());
  }

  private Result each(
      String uid, List<SnapshotDisk> disks, String snap, Step step, List<Happened> done) {
    for (SnapshotDisk d : disks) {
      RbdAccess.Result r = reach(d.storage);
      if (r.blocker() != null) {
        return Result.blocked(r.blocker(), done);
      }
      RbdAccess.Reached at = r.reached();
      try {
        Optional<RbdPort.Image> img = image(at, d.volume);
        DiskStatus asStatus = new DiskStatus();
        asStatus.name = d.name;
        asStatus.volume = d.volume;
        Optional<Blocker> notOurs = notOurs(at, asStatus, img, uid);
        if (notOurs.isPresent()) {
          return Result.blocked(notOurs.get(), done);
        }
        Blocker b = step.on(at, d, img.get());
        if (b != null) {
          return Result.blocked(b, done);
        }
      } catch (CephError e) {
        return Result.blocked(RbdTrouble.unavailable(at, e), done);
      }
    }
    return new Result(disks, null, done);
  }

  private RbdAccess.Result reach(String storage) {
    Optional<KvmStoragePool> pool = catalog.find(storage);
    if (pool.isEmpty() || pool.get().getSpec() == null || pool.get().getSpec().rbd == null) {
      return new RbdAccess.Result(
          null,
          new Blocker(
              Reasons.STORAGE_NOT_FOUND,
              "KvmStoragePool "
                  + storage
                  + ", which holds the snapshot's RBD images, is gone or not of type rbd"));
    }
    return access.reach(pool.get());
  }

  private static Optional<RbdPort.Image> image(RbdAccess.Reached at, String name) {
    return at.images().images().stream().filter(i -> i.name().equals(name)).findFirst();
  }

  /** Why the disk's image is not there or not the machine's, or empty. */
  private static Optional<Blocker> notOurs(
      RbdAccess.Reached at, DiskStatus d, Optional<RbdPort.Image> img, String uid) {
    if (img.isEmpty()) {
      return Optional.of(
          new Blocker(
              Reasons.SNAPSHOT_LOST,
              "RBD image "
                  + at.spec().pool
                  + "/"
                  + d.volume
                  + " of disk "
                  + d.name
                  + " is gone (its machine was deleted, or it was removed outside kvmop)"));
    }
    String mark = at.images().meta(d.volume).get(RbdVolumes.MARK_UID);
    if (!uid.equals(mark)) {
      return Optional.of(
          new Blocker(
              Reasons.RBD_IMAGE_CONFLICT,
              "RBD image "
                  + at.spec().pool
                  + "/"
                  + d.volume
                  + " of disk "
                  + d.name
                  + " is not this machine's (its "
                  + RbdVolumes.MARK_UID
                  + " is "
                  + (mark == null ? "absent" : mark)
                  + "); kvmop never snapshots, rolls back or removes another's image"));
    }
    return Optional.empty();
  }
}
