package io.kvmop.disk;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmMachineSnapshotStatus;
import io.kvmop.api.SnapshotPhase;
import io.kvmop.libvirt.DomainLocks;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.VolumeState;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.status.Blocker;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Clones: a disk whose spec names a snapshot source starts as that disk of the snapshot. Resolves
 * the source from what libvirt says on this node (never from a status alone: the domain must carry
 * kvmop's mark for the snapshot's machine and namespace, and the libvirt snapshot the name derived
 * from the snapshot's uid), then copies the snapshot's state of the disk into the new volume with
 * qemu-img, as an overlay on the same base image where there is one (copy-on-write: only what the
 * machine had written is copied).
 */
final class SnapshotClones {
  /** Finds a KvmMachineSnapshot by namespace and name. */
  @FunctionalInterface
  interface Lookup {
    Optional<KvmMachineSnapshot> find(String namespace, String name);

    Lookup NONE = (ns, n) -> Optional.empty();
  }

  /** Where a clone's data comes from: an internal snapshot in a volume of this node's pool. */
  record Source(
      String snapshot,
      String domain,
      String volumePath,
      String libvirtSnapshot,
      long capacity,
      String backingPath,
      String backingFormat) {}

  /** The source, or why there is none (yet). */
  record Resolved(Source source, Blocker blocker) {}

  private final LibvirtPort libvirt;
  private final StorageConfig config;
  private volatile String node = "";
  private volatile Lookup lookup = Lookup.NONE;

  SnapshotClones(LibvirtPort libvirt, StorageConfig config) {
    this.libvirt = libvirt;
    this.config = config;
  }

  void use(String node, Lookup lookup) {
    this.node = node;
    this.lookup = lookup;
  }

  Resolved resolve(KvmMachine m, DiskSpec d, String field) {
    String ns = m.getMetadata().getNamespace();
    String name = d.snapshot.name;
    Optional<KvmMachineSnapshot> found = lookup.find(ns, name);
    Blocker notReady = notReady(found, ns, name, field);
    if (notReady != null) {
      return new Resolved(null, notReady);
    }
    KvmMachineSnapshot s = found.get();
    KvmMachineSnapshotStatus st = s.getStatus();
    if (io.kvmop.storage.RbdSnapshots.isRbd(st.disks)) {
      return blocked(
          Reasons.INVALID_SPEC,
          field
              + ".storage: snapshot "
              + name
              + " is held in RBD images on KvmStoragePool "
              + st.disks.get(0).storage
              + ", and this disk is in the node's directory pool; a clone is made where its"
              + " snapshot is: set storage to "
              + st.disks.get(0).storage);
    }
    if (!node.equals(st.nodeName)) {
      return blocked(
          Reasons.SNAPSHOT_ON_OTHER_NODE,
          field
              + ".snapshot.name: snapshot "
              + name
              + " is on node "
              + st.nodeName
              + ", and this machine is on "
              + node
              + "; a clone runs where its snapshot is: set spec.nodeName to "
              + st.nodeName
              + " or leave it empty");
    }
    String libvirtName = s.libvirtName();
    Optional<DomainState> dom =
        st.domain == null ? Optional.empty() : libvirt.domains().findDomain(st.domain);
    DomainXml.Owner owner =
        dom.map(x -> x.config() == null ? null : x.config().owner()).orElse(null);
    if (owner == null
        || !ns.equals(owner.namespace())
        || !owner.uid().equals(st.machineUid)
        || libvirt.snapshots().findSnapshot(st.domain, libvirtName).isEmpty()) {
      return blocked(
          Reasons.SNAPSHOT_LOST,
          field
              + ".snapshot.name: snapshot "
              + name
              + " is not on "
              + node
              + " any more (its machine was deleted, or it was removed outside kvmop)");
    }
    String disk = d.snapshot.disk == null ? d.name : d.snapshot.disk;
    String volume = DiskNames.volumeName(st.domain, disk, owner.uid(), "qcow2");
    Optional<VolumeState> v = libvirt.storage().findVolume(config.poolName(), volume);
    if (v.isEmpty()) {
      List<String> names =
          st.disks == null ? List.of() : st.disks.stream().map(x -> x.name).toList();
      return blocked(
          Reasons.INVALID_SPEC,
          field
              + ".snapshot.disk: snapshot "
              + name
              + " holds no disk "
              + disk
              + "; it holds "
              + (names.isEmpty() ? "no disks" : String.join(", ", names)));
    }
    return new Resolved(
        new Source(
            name,
            st.domain,
            v.get().path(),
            libvirtName,
            v.get().capacity(),
            v.get().backingPath(),
            v.get().backingFormat()),
        null);
  }

  /** A clone's disk as laid out, or why it cannot be yet. */
  record Laid(DesiredDisk disk, Blocker blocker) {}

  /**
   * A disk cloned from a snapshot: once its volume exists it is an ordinary volume (the snapshot
   * may be gone); before, the snapshot must be Ready on this node, and {@code copies} gets the copy
   * to make.
   *
   * @param asDeclared the disk with its declared size and no backing yet
   */
  Laid layOut(
      KvmMachine m, DiskSpec d, String field, DesiredDisk asDeclared, Map<String, Source> copies) {
    Optional<VolumeState> existing =
        libvirt.storage().findVolume(config.poolName(), asDeclared.volume());
    long capacity;
    String backing;
    String backingFormat;
    if (existing.isPresent()) {
      capacity = existing.get().capacity();
      backing = existing.get().backingPath();
      backingFormat = existing.get().backingFormat();
    } else {
      Resolved r = resolve(m, d, field);
      if (r.blocker() != null) {
        return new Laid(null, r.blocker());
      }
      copies.put(asDeclared.volume(), r.source());
      capacity = r.source().capacity();
      backing = r.source().backingPath();
      backingFormat = r.source().backingFormat();
    }
    DesiredDisk a = asDeclared;
    return new Laid(
        new DesiredDisk(
            a.name(),
            a.volume(),
            a.path(),
            "qcow2",
            Math.max(a.capacity(), capacity),
            a.sizeGiven(),
            backing,
            backingFormat,
            a.bus(),
            a.target(),
            a.retain()),
        null);
  }

  /**
   * Copies each snapshot a new clone volume starts from, holding its source domain's lock (so the
   * snapshot is not deleted meanwhile); null, or why a copy failed.
   */
  Blocker copyAll(
      List<DesiredDisk> desired,
      Map<String, Source> copies,
      DomainLocks locks,
      List<Happened> done) {
    for (DesiredDisk d : desired) {
      Source src = copies.get(d.volume());
      if (src == null || libvirt.storage().findVolume(config.poolName(), d.volume()).isPresent()) {
        continue;
      }
      java.util.Optional<Happened> copied;
      try {
        copied =
            locks.tryWith(
                DomainLocks.snapshotsOf(src.domain()),
                SNAPSHOT_WAIT,
                () -> {
                  try {
                    return copy(src, d.volume(), d.name());
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        copied = java.util.Optional.empty();
      } catch (java.io.UncheckedIOException e) {
        return new Blocker(
            Reasons.HOST_ERROR,
            "cannot clone disk "
                + d.name()
                + " from snapshot "
                + src.snapshot()
                + ": "
                + e.getCause().getMessage());
      }
      if (copied.isEmpty()) {
        return new Blocker(
            Reasons.SNAPSHOT_NOT_READY,
            "snapshot "
                + src.snapshot()
                + " is being taken or deleted; disk "
                + d.name()
                + " is cloned once it is done");
      }
      done.add(copied.get());
    }
    return null;
  }

  /** Why a clone cannot start from the snapshot found (none, or not Ready yet), or null. */
  static Blocker notReady(
      Optional<KvmMachineSnapshot> found, String ns, String name, String field) {
    if (found.isEmpty()) {
      return new Blocker(
          Reasons.SNAPSHOT_NOT_FOUND,
          field + ".snapshot.name: no KvmMachineSnapshot " + name + " in namespace " + ns);
    }
    KvmMachineSnapshotStatus st = found.get().getStatus();
    if (st == null || st.phase != SnapshotPhase.Ready) {
      return new Blocker(
          Reasons.SNAPSHOT_NOT_READY,
          field
              + ".snapshot.name: snapshot "
              + name
              + " is "
              + (st == null || st.phase == null ? "not taken yet" : st.phase)
              + "; the disk is cloned once it is Ready");
    }
    return null;
  }

  private static Resolved blocked(String reason, String message) {
    return new Resolved(null, new Blocker(reason, message));
  }

  /** How long a clone waits for its snapshot's other work (taking, deleting) before it retries. */
  static final java.time.Duration SNAPSHOT_WAIT = java.time.Duration.ofSeconds(20);

  /** How long one copy may take before it is given up (and tried again on the next pass). */
  static final long COPY_MINUTES = 60;

  /**
   * Writes the new volume's file from the snapshot: a temporary file first, moved into the pool
   * only when whole, so a copy killed halfway leaves no volume that looks finished.
   */
  Happened copy(Source src, String volume, String disk) throws IOException {
    Path target = Path.of(config.volumePath(volume));
    Path tmp = Scratch.reserve(config.scratchDir(), volume + ".part");
    Files.deleteIfExists(tmp);
    List<String> cmd = new java.util.ArrayList<>();
    cmd.addAll(
        List.of(
            "qemu-img",
            "convert",
            "-U", // the source may be in use by its running guest; the snapshot in it is not
            "-q",
            "-l",
            "snapshot.name=" + src.libvirtSnapshot(),
            "-O",
            "qcow2"));
    if (src.backingPath() != null) {
      cmd.addAll(
          List.of(
              "-B",
              src.backingPath(),
              "-F",
              src.backingFormat() == null ? "raw" : src.backingFormat()));
    }
    cmd.add(src.volumePath());
    cmd.add(tmp.toString());
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException(
          "cannot run qemu-img (" + e.getMessage() + "); install qemu-utils where the agent runs",
          e);
    }
    try {
      if (!p.waitFor(COPY_MINUTES, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException("qemu-img convert took longer than " + COPY_MINUTES + " minutes");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while copying the snapshot", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (p.exitValue() != 0) {
      Files.deleteIfExists(tmp);
      throw new IOException("qemu-img convert failed: " + out);
    }
    Seeds.restrict(tmp);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    Scratch.removeIfEmpty(config.scratchDir());
    return new Happened(
        Reasons.DISK_CLONED,
        "cloned disk "
            + disk
            + " from snapshot "
            + src.snapshot()
            + " ("
            + src.domain()
            + ") into volume "
            + volume
            + (src.backingPath() == null ? "" : ", an overlay on " + src.backingPath()));
  }
}
