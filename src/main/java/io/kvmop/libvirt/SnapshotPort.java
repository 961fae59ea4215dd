package io.kvmop.libvirt;

import io.kvmop.libvirt.xml.SnapshotXml;
import java.util.List;
import java.util.Optional;

/**
 * libvirt's snapshot API on one domain, as much as kvmop uses: internal snapshots (kept inside the
 * domain's qcow2 volumes), the revert this libvirt can do, and the guest agent's filesystem freeze
 * that makes a snapshot of a running guest consistent. Every method throws {@link LibvirtError}
 * with libvirt's error code kept.
 */
public interface SnapshotPort {
  List<SnapshotState> listSnapshots(String domain);

  Optional<SnapshotState> findSnapshot(String domain, String name);

  /**
   * Takes an internal snapshot: of a running or paused domain with its memory (libvirt can take an
   * internal one of a running guest only so), of a stopped one its disks only.
   */
  void createSnapshot(String domain, SnapshotXml xml);

  /** What the domain does after a revert. */
  enum Then {
    /** As when taken: running with the memory of a running snapshot, else stopped. */
    AS_TAKEN,
    /** Running (a stopped snapshot boots from its disks). */
    RUN,
    /** QEMU started with the vCPUs paused: nothing runs in the guest until resumed. */
    PAUSE
  }

  /** Brings the domain back to the snapshot: its disks, its definition, and any memory in it. */
  void revertToSnapshot(String domain, String name, Then then);

  /** Deletes the snapshot and the data only it holds. */
  void deleteSnapshot(String domain, String name);

  /** Freezes the guest's filesystems through its agent; the number frozen. */
  int freezeFilesystems(String domain);

  /** Thaws them again; harmless when none is frozen. */
  int thawFilesystems(String domain);
}
