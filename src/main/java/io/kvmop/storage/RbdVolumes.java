package io.kvmop.storage;

import io.kvmop.api.DiskStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmStoragePool;
import io.kvmop.api.Quantities;
import io.kvmop.ceph.CephError;
import io.kvmop.ceph.RbdPort;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtErrors;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.xml.DomainDevices;
import io.kvmop.status.Blocker;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A machine's disks on rbd pools: each an RBD image kvmop marks as the machine's (its metadata
 * names the namespace, machine, disk and uid), a copy-on-write clone of the pool's base image or a
 * blank image, grown (live through QEMU when the machine runs), never shrunk, re-based or moved;
 * and the libvirt secret the domain's network disks log in with. An image of a disk's name without
 * the mark is another's: reported, never written, unless it holds nothing (a creation of kvmop's
 * cut off before its mark), which kvmop then marks and uses.
 */
public final class RbdVolumes {
  static final String MARK_UID = "kvmop.uid";
  static final String MARK_NAMESPACE = "kvmop.namespace";
  static final String MARK_MACHINE = "kvmop.machine";
  static final String MARK_DISK = "kvmop.disk";

  private final LibvirtPort libvirt;
  private final RbdAccess access;
  private final CephSecrets secrets;
  private final RbdBases bases;

  /** pool uid + image + machine uid: images whose mark was read and found this machine's. */
  private final Set<String> marked = ConcurrentHashMap.newKeySet();

  private final RbdLeftovers leftovers;
  private final RbdSnapshots snapshots;

  public RbdVolumes(
      String node,
      LibvirtPort libvirt,
      StorageCatalog catalog,
      RbdAccess.Ports ports,
      Clock clock) {
    this.libvirt = libvirt;
    this.access = new RbdAccess(catalog, ports);
    this.secrets = new CephSecrets(libvirt.secrets());
    this.bases = new RbdBases(node, clock);
    this.snapshots = new RbdSnapshots(catalog, access);
    this.leftovers = new RbdLeftovers(access, snapshots);
  }

  /** Snapshots of machines on rbd pools. */
  public RbdSnapshots snapshots() {
    return snapshots;
  }

  /** kvmop's own: images through the rbd tool. */
  public static RbdAccess.Ports ceph() {
    return RbdAccess.Ports.CEPH;
  }

  /**
   * The devices of the disks (by disk name), their status, why they cannot be had, what was done.
   */
  public record Result(
      Map<String, DomainDevices.Disk> devices,
      List<DiskStatus> status,
      Blocker blocker,
      List<Happened> done) {}

  /** Makes the disks of {@code m} that are on {@code pool}. */
  public Result ensure(
      KvmStoragePool pool, KvmMachine m, String domain, boolean running, List<RbdDisk> disks) {
    List<Happened> done = new ArrayList<>();
    RbdAccess.Result reached = access.reach(pool);
    if (reached.blocker() != null) {
      return new Result(Map.of(), List.of(), reached.blocker(), done);
    }
    RbdAccess.Reached at = reached.reached();
    try {
      Optional<Blocker> key = secrets.ensure(pool, at.key(), done);
      if (key.isPresent()) {
        return new Result(Map.of(), List.of(), key.get(), done);
      }
      Map<String, RbdPort.Image> images = byName(at.images());
      boolean writes =
          disks.stream()
              .anyMatch(
                  d ->
                      !images.containsKey(d.image())
                          || d.capacity() > images.get(d.image()).size());
      if (writes) {
        Optional<Blocker> full =
            RbdTrouble.full(at, "Making or growing disks of " + m.getMetadata().getName());
        if (full.isPresent()) {
          return new Result(Map.of(), List.of(), full.get(), done);
        }
      }
      Map<String, DomainDevices.Disk> devices = new LinkedHashMap<>();
      Map<String, String> baseOf = new LinkedHashMap<>();
      int before = done.size();
      for (RbdDisk d : disks) {
        String base = null;
        if (d.base() != null) {
          RbdBases.Result b = bases.ensure(at, d.base(), images, done);
          if (b.blocker() != null) {
            return new Result(Map.of(), List.of(), b.blocker(), done);
          }
          base = b.name();
        }
        Optional<Blocker> refused = disk(at, m, domain, running, d, base, images, done);
        if (refused.isPresent()) {
          return new Result(Map.of(), List.of(), refused.get(), done);
        }
        baseOf.put(d.name(), base);
        devices.put(d.name(), device(at, pool, d));
      }
      Map<String, RbdPort.Image> after = done.size() == before ? images : byName(at.images());
      leftovers.kept(at, m, domain, disks, after.keySet(), done);
      List<DiskStatus> status = new ArrayList<>();
      for (RbdDisk d : disks) {
        status.add(status(at, d, baseOf.get(d.name()), after.get(d.image())));
      }
      return new Result(devices, status, null, done);
    } catch (CephError e) {
      return new Result(Map.of(), List.of(), RbdTrouble.unavailable(at, e), done);
    } catch (LibvirtError e) {
      LibvirtErrors.Explained x = LibvirtErrors.explain(e);
      return new Result(Map.of(), List.of(), new Blocker(x.reason(), x.message()), done);
    }
  }

  private Optional<Blocker> disk(
      RbdAccess.Reached at,
      KvmMachine m,
      String domain,
      boolean running,
      RbdDisk d,
      String base,
      Map<String, RbdPort.Image> images,
      List<Happened> done) {
    RbdPort rbd = at.images();
    String uid = m.getMetadata().getUid();
    String seen = at.pool().getMetadata().getUid() + "/" + d.image() + "/" + uid;
    RbdPort.Image img = images.get(d.image());
    if (img == null) {
      if (d.from() != null) {
        Optional<Blocker> refused = cloneable(at, d, images);
        if (refused.isPresent()) {
          return refused;
        }
        rbd.clone(d.from().image(), d.from().snap(), d.image());
      } else if (base == null) {
        rbd.create(d.image(), d.capacity());
      } else {
        rbd.clone(base, RbdBases.SNAPSHOT, d.image());
      }
      mark(rbd, m, d);
      marked.add(seen);
      long size =
          d.from() != null
              ? d.from().capacity()
              : base == null ? d.capacity() : d.base().virtualSize();
      if (d.capacity() > size) {
        rbd.grow(d.image(), d.capacity());
      }
      done.add(
          new Happened(
              Reasons.RBD_IMAGE_CREATED,
              "created RBD image "
                  + at.spec().pool
                  + "/"
                  + d.image()
                  + " ("
                  + Quantities.human(Math.max(size, d.capacity()))
                  + (d.from() != null
                      ? ", a clone of snapshot "
                          + d.from().snapshot()
                          + " ("
                          + d.from().image()
                          + "@"
                          + d.from().snap()
                          + ")"
                      : base == null ? ", blank" : ", a clone of base image " + base)
                  + ") for disk "
                  + d.name()));
      return Optional.empty();
    }
    if (!marked.contains(seen)) {
      Map<String, String> meta = rbd.meta(d.image());
      if (uid.equals(meta.get(MARK_UID))) {
        marked.add(seen);
      } else if (!meta.containsKey(MARK_UID)
          && standsOn(img, d, base)
          && rbd.used(d.image()) == 0) {
        mark(rbd, m, d); // kvmop's creation, cut off before its mark: nothing in it to lose
        marked.add(seen);
      } else {
        return Optional.of(
            new Blocker(
                Reasons.RBD_IMAGE_CONFLICT,
                "disk "
                    + d.name()
                    + ": RBD image "
                    + at.spec().pool
                    + "/"
                    + d.image()
                    + " exists and is not this machine's (its metadata "
                    + MARK_UID
                    + " is "
                    + meta.getOrDefault(MARK_UID, "absent")
                    + "); kvmop never writes another's image. Rename or remove it, or give the"
                    + " disk another name"));
      }
    }
    if (d.from() == null && !standsOn(img, d, base)) { // a clone of a snapshot may be flattened
      return Optional.of(
          new Blocker(
              Reasons.DISK_CHANGE_REFUSED,
              "disk "
                  + d.name()
                  + ": RBD image "
                  + d.image()
                  + " is "
                  + img.parent().map(p -> "a clone of " + p.image()).orElse("a blank image")
                  + " but spec now says "
                  + (base == null ? "a blank disk" : "an image (base " + base + ")")
                  + "; kvmop never replaces a disk that may hold data. Restore the old image, or"
                  + " give the disk a new name"));
    }
    if (d.sizeGiven() && d.capacity() < img.size()) {
      return Optional.of(
          new Blocker(
              Reasons.DISK_SHRINK_REFUSED,
              "disk "
                  + d.name()
                  + ": spec.size "
                  + Quantities.human(d.capacity())
                  + " is smaller than RBD image "
                  + d.image()
                  + " ("
                  + Quantities.human(img.size())
                  + "); disks are never shrunk, as data past the new end would be lost. Set size"
                  + " to at least "
                  + Quantities.human(img.size())));
    }
    if (d.capacity() > img.size()) {
      if (running) {
        libvirt.storage().resizeDomainDisk(domain, d.target(), d.capacity());
      } else {
        rbd.grow(d.image(), d.capacity());
      }
      done.add(
          new Happened(
              Reasons.DISK_GROWN,
              "grew disk "
                  + d.name()
                  + (running ? " of the running machine" : "")
                  + " from "
                  + Quantities.human(img.size())
                  + " to "
                  + Quantities.human(d.capacity())));
    }
    return Optional.empty();
  }

  /**
   * Why disk {@code d} cannot be cloned from its snapshot now: the snapshot not Ready, or its image
   * gone, no longer the snapshotted machine's, or without the RBD snapshot.
   */
  private static Optional<Blocker> cloneable(
      RbdAccess.Reached at, RbdDisk d, Map<String, RbdPort.Image> images) {
    RbdDisk.FromSnapshot f = d.from();
    if (f.notYet() != null) {
      return Optional.of(f.notYet());
    }
    RbdPort.Image parent = images.get(f.image());
    if (parent == null
        || parent.snapshot(f.snap()).isEmpty()
        || !f.machineUid().equals(at.images().meta(f.image()).get(MARK_UID))) {
      return Optional.of(
          new Blocker(
              Reasons.SNAPSHOT_LOST,
              "disk "
                  + d.name()
                  + ": snapshot "
                  + f.snapshot()
                  + " is no longer in RBD image "
                  + at.spec().pool
                  + "/"
                  + f.image()
                  + " (its machine was deleted, or it was removed outside kvmop); nothing was"
                  + " cloned"));
    }
    return Optional.empty();
  }

  static Map<String, RbdPort.Image> byName(RbdPort rbd) {
    return rbd.images().stream()
        .collect(Collectors.toMap(RbdPort.Image::name, Function.identity(), (a, b) -> a));
  }

  private static boolean standsOn(RbdPort.Image img, RbdDisk d, String base) {
    if (d.from() != null) {
      return img.parent()
          .map(p -> p.image().equals(d.from().image()) && p.snapshot().equals(d.from().snap()))
          .orElse(false);
    }
    return base == null
        ? img.parent().isEmpty()
        : img.parent()
            .map(p -> p.image().equals(base) && p.snapshot().equals(RbdBases.SNAPSHOT))
            .orElse(false);
  }

  /** The machine's mark; the uid last, so that an image with it is marked whole. */
  private static void mark(RbdPort rbd, KvmMachine m, RbdDisk d) {
    rbd.setMeta(d.image(), MARK_NAMESPACE, m.getMetadata().getNamespace());
    rbd.setMeta(d.image(), MARK_MACHINE, m.getMetadata().getName());
    rbd.setMeta(d.image(), MARK_DISK, d.name());
    rbd.setMeta(d.image(), MARK_UID, m.getMetadata().getUid());
  }

  private static DomainDevices.Disk device(RbdAccess.Reached at, KvmStoragePool pool, RbdDisk d) {
    String ns = at.spec().namespaceOrEmpty();
    return DomainDevices.Disk.rbd(
        at.spec().pool,
        ns.isEmpty() ? d.image() : ns + "/" + d.image(),
        at.monitors(),
        at.spec().userOrDefault(),
        CephSecrets.uuid(pool),
        d.target(),
        d.bus());
  }

  private static DiskStatus status(
      RbdAccess.Reached at, RbdDisk d, String base, RbdPort.Image img) {
    DiskStatus s = new DiskStatus();
    s.name = d.name();
    s.storage = at.name();
    s.volume = d.image();
    String ns = at.spec().namespaceOrEmpty();
    s.path = "rbd:" + at.spec().pool + "/" + (ns.isEmpty() ? "" : ns + "/") + d.image();
    s.format = "raw";
    s.capacityBytes = img == null ? null : img.size();
    s.backingImage = base;
    s.target = d.target();
    s.reclaimPolicy = d.retain() ? "Retain" : "Delete";
    return s;
  }

  /**
   * The machine's images on {@code pool} when no disk of its spec is there any more: each kept, and
   * said once with the command that removes it. Ceph out of reach: nothing is said.
   */
  public List<Happened> kept(KvmStoragePool pool, KvmMachine m, String domain) {
    List<Happened> done = new ArrayList<>();
    RbdAccess.Result reached = access.reach(pool);
    if (reached.blocker() != null) {
      return done;
    }
    try {
      leftovers.kept(
          reached.reached(),
          m,
          domain,
          List.of(),
          byName(reached.reached().images()).keySet(),
          done);
    } catch (CephError e) {
      // said on a later pass, if it is still there
    }
    return done;
  }

  /**
   * Removes the machine's images on {@code pool} that carry its mark (Delete), or says they are
   * kept (Retain); an image of a disk's name that is not the machine's is left alone, and said.
   */
  public List<Happened> release(KvmStoragePool pool, KvmMachine m, List<DiskStatus> disks) {
    List<Happened> out = leftovers.release(pool, m, disks);
    String uid = m.getMetadata().getUid();
    disks.forEach(d -> marked.remove(pool.getMetadata().getUid() + "/" + d.volume + "/" + uid));
    return out;
  }
}
