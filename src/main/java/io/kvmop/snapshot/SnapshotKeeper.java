package io.kvmop.snapshot;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmMachineSnapshotStatus;
import io.kvmop.api.SnapshotDisk;
import io.kvmop.api.SnapshotPhase;
import io.kvmop.disk.DiskNames;
import io.kvmop.libvirt.DomainLocks;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtCode;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtErrors;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.SnapshotState;
import io.kvmop.libvirt.VolumeState;
import io.kvmop.libvirt.xml.SnapshotXml;
import io.kvmop.machine.MachinePlanner;
import io.kvmop.machine.MachineRealizer;
import io.kvmop.status.Happened;
import io.kvmop.status.Outcome;
import io.kvmop.status.Reasons;
import io.kvmop.storage.RbdSnapshots;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a KvmMachineSnapshot on the machine's node (an internal libvirt snapshot, the guest's
 * filesystems frozen through its agent when its memory is not kept; RBD snapshots of a machine on
 * rbd pools, through RbdSnapshotTaker), checks that a taken one is still there, and deletes it.
 * Both modes use it; the status it returns is the whole answer.
 */
public final class SnapshotKeeper {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotKeeper.class);

  /** libvirt's answers that mean "never for this machine", not "not now". */
  private static final java.util.Set<LibvirtCode> UNSUPPORTED =
      java.util.Set.of(
          LibvirtCode.OPERATION_UNSUPPORTED,
          LibvirtCode.NO_SUPPORT,
          LibvirtCode.CONFIG_UNSUPPORTED);

  /** How soon to look again while waiting for the machine (no event says it appeared). */
  static final Duration WAIT = Duration.ofSeconds(15);

  private final String node;
  private final LibvirtPort libvirt;
  private final MachineRealizer machines;
  private final Clock clock;

  public SnapshotKeeper(String node, LibvirtPort libvirt, MachineRealizer machines, Clock clock) {
    this.node = node;
    this.libvirt = libvirt;
    this.machines = machines;
    this.clock = clock;
  }

  /** The new status, how soon to look again (null: on the next event), what was done. */
  /** The snapshot's name in libvirt: derived from the resource's uid, so it is this one's. */
  public static String libvirtName(KvmMachineSnapshot s) {
    return s.libvirtName();
  }

  /**
   * @param machine the machine it names, as it is now; null when there is none
   */
  public Outcome<KvmMachineSnapshotStatus> keep(KvmMachineSnapshot s, KvmMachine machine) {
    SnapshotStatusBuilder b = new SnapshotStatusBuilder(s, clock.instant());
    KvmMachineSnapshotStatus prev = s.getStatus();
    if (prev != null && prev.machineUid != null && prev.libvirtName != null) {
      return check(s, b); // taken: it is never taken again, only checked
    }
    if (prev != null && prev.phase == SnapshotPhase.Failed) {
      return new Outcome<>(b.same(), null, List.of());
    }
    if (machine == null) {
      return new Outcome<>(
          b.pending(
              Reasons.MACHINE_NOT_FOUND,
              "no KvmMachine " + s.getSpec().machine + " in this namespace; waiting for it"),
          WAIT,
          List.of());
    }
    String unsupported = unsupportedDisk(machine, s.getSpec().keepMemory());
    if (unsupported != null) {
      return new Outcome<>(b.failed(Reasons.SNAPSHOT_UNSUPPORTED, unsupported), null, List.of());
    }
    String domain = machines.naming(machine).domainName();
    try {
      var locks = machines.locks();
      return locks.with(
          domain,
          () -> locks.with(DomainLocks.snapshotsOf(domain), () -> take(s, machine, domain, b)));
    } catch (LibvirtError e) {
      if (UNSUPPORTED.contains(e.kind())) {
        // e.g. libvirt 9.2 and later refuse internal snapshots of any UEFI machine: never works
        return new Outcome<>(
            b.failed(
                Reasons.SNAPSHOT_UNSUPPORTED,
                "libvirt refuses an internal snapshot of this machine ("
                    + e.code()
                    + ": "
                    + e.libvirtMessage()
                    + ")"),
            null,
            List.of());
      }
      LibvirtErrors.Explained x = LibvirtErrors.explain(e);
      return new Outcome<>(b.pending(x.reason(), x.message()), WAIT, List.of());
    }
  }

  private Outcome<KvmMachineSnapshotStatus> take(
      KvmMachineSnapshot s, KvmMachine machine, String domain, SnapshotStatusBuilder b) {
    String uid = machine.getMetadata().getUid();
    Optional<DomainState> d = libvirt.domains().findDomain(domain);
    if (d.isEmpty() || !MachinePlanner.owns(d.get(), uid)) {
      return new Outcome<>(
          b.pending(
              Reasons.PENDING,
              "machine " + machine.getMetadata().getName() + " has no domain on " + node + " yet"),
          WAIT,
          List.of());
    }
    boolean active = d.get().state() != DomainState.RunState.SHUTOFF;
    boolean paused = d.get().state() == DomainState.RunState.PAUSED;
    List<io.kvmop.api.DiskStatus> onRbd = RbdSnapshots.onRbd(machine);
    if (!onRbd.isEmpty()) {
      return new RbdSnapshotTaker(node, libvirt, machines.disks().rbdSnapshots(), clock)
          .take(s, machine, domain, d.get(), onRbd, b);
    }
    if (active && "uefi".equals(machine.getSpec().firmware)) {
      return new Outcome<>(
          b.pending(
              Reasons.WAITING_FOR_STOP,
              "libvirt "
                  + libvirt.host().version()
                  + " takes no internal snapshot of a running machine with UEFI firmware"
                  + " (pflash); it is taken once the machine is stopped (kvmop stop "
                  + machine.getMetadata().getName()
                  + ")"),
          WAIT,
          List.of());
    }
    String name = libvirtName(s);
    List<Happened> done = new ArrayList<>();
    Boolean frozen = null;
    String frozenWhy = null;
    Optional<SnapshotState> taken = libvirt.snapshots().findSnapshot(domain, name);
    if (taken.isEmpty()) {
      boolean freeze = active && !paused && !s.getSpec().keepMemory();
      if (freeze) {
        thawQuietly(domain); // a run killed between freeze and thaw left it frozen
        try {
          frozen = libvirt.snapshots().freezeFilesystems(domain) >= 0;
        } catch (LibvirtError e) {
          frozen = false;
          frozenWhy =
              "the guest agent did not freeze them ("
                  + e.code()
                  + ": "
                  + e.libvirtMessage()
                  + "); the disks are as after a power cut";
        }
      } else {
        frozen = false;
        frozenWhy =
            !active
                ? "the machine was stopped: its disks were at rest"
                : paused
                    ? "the machine was paused: its agent cannot answer"
                    : "the memory is kept: a restore resumes the guest as it was";
      }
      try {
        libvirt.snapshots().createSnapshot(domain, SnapshotXml.internal(name, describe(s)));
      } finally {
        if (Boolean.TRUE.equals(frozen)) {
          thawQuietly(domain);
        }
      }
      taken = libvirt.snapshots().findSnapshot(domain, name);
      done.add(
          new Happened(
              Reasons.SNAPSHOT_TAKEN,
              "took snapshot "
                  + name
                  + " of "
                  + domain
                  + " on "
                  + node
                  + (Boolean.TRUE.equals(frozen) ? " with the filesystems frozen" : "")));
    } else {
      thawQuietly(domain);
      frozenWhy = "taken by an earlier run of the agent, which did not record it";
    }
    if (taken.isEmpty()) {
      return new Outcome<>(
          b.pending(Reasons.PENDING, "libvirt does not list snapshot " + name + " yet"),
          WAIT,
          done);
    }
    KvmMachineSnapshotStatus st =
        b.ready(
            node,
            domain,
            machine.getMetadata().getUid(),
            taken.get(),
            s.getSpec().keepMemory() && taken.get().memory(),
            frozen,
            frozenWhy,
            disks(machine, domain));
    return new Outcome<>(st, null, done);
  }

  /** A taken snapshot: still Ready while libvirt has it on this machine's domain, else Lost. */
  private Outcome<KvmMachineSnapshotStatus> check(KvmMachineSnapshot s, SnapshotStatusBuilder b) {
    KvmMachineSnapshotStatus prev = s.getStatus();
    if (RbdSnapshots.isRbd(prev.disks)) {
      var r = machines.disks().rbdSnapshots().check(prev.machineUid, prev.disks, prev.libvirtName);
      if (r.blocker() == null) {
        return new Outcome<>(b.stillReady(), null, List.of());
      }
      if (Reasons.SNAPSHOT_LOST.equals(r.blocker().reason())
          || Reasons.RBD_IMAGE_CONFLICT.equals(r.blocker().reason())) {
        return new Outcome<>(
            b.lost(r.blocker().message() + "; delete this KvmMachineSnapshot"), null, List.of());
      }
      // Ceph out of reach says nothing of the snapshot: it stays as it was, looked at again
      return new Outcome<>(b.stillReady(), WAIT, List.of());
    }
    Optional<DomainState> d = libvirt.domains().findDomain(prev.domain);
    if (d.isEmpty() || !MachinePlanner.owns(d.get(), prev.machineUid)) {
      return new Outcome<>(
          b.lost(
              "machine "
                  + s.getSpec().machine
                  + " (uid "
                  + prev.machineUid
                  + ") is gone from "
                  + node
                  + ", and the snapshot with the data in its volumes; delete this"
                  + " KvmMachineSnapshot"),
          null,
          List.of());
    }
    if (libvirt.snapshots().findSnapshot(prev.domain, prev.libvirtName).isEmpty()) {
      return new Outcome<>(
          b.lost(
              "libvirt no longer has snapshot "
                  + prev.libvirtName
                  + " of "
                  + prev.domain
                  + " (deleted outside kvmop?); delete this KvmMachineSnapshot"),
          null,
          List.of());
    }
    return new Outcome<>(b.stillReady(), null, List.of());
  }

  /**
   * Deletes the snapshot from libvirt when it is there, on the domain of the machine it was taken
   * of (never on another's); what was done.
   */
  public List<Happened> release(KvmMachineSnapshot s) {
    KvmMachineSnapshotStatus st = s.getStatus();
    if (st == null || st.domain == null || st.machineUid == null || st.libvirtName == null) {
      return List.of();
    }
    if (RbdSnapshots.isRbd(st.disks)) {
      return machines
          .locks()
          .with(
              DomainLocks.snapshotsOf(st.domain),
              () ->
                  machines.disks().rbdSnapshots().remove(st.machineUid, st.disks, st.libvirtName));
    }
    return machines
        .locks()
        .with(
            DomainLocks.snapshotsOf(st.domain),
            () -> {
              Optional<DomainState> d = libvirt.domains().findDomain(st.domain);
              if (d.isEmpty()
                  || !MachinePlanner.owns(d.get(), st.machineUid)
                  || libvirt.snapshots().findSnapshot(st.domain, st.libvirtName).isEmpty()) {
                return List.of();
              }
              libvirt.snapshots().deleteSnapshot(st.domain, st.libvirtName);
              return List.of(
                  new Happened(
                      Reasons.SNAPSHOT_DELETED,
                      "deleted snapshot " + st.libvirtName + " of " + st.domain + " on " + node));
            });
  }

  /** Why the machine's disks cannot be snapshotted together, or null. */
  static String unsupportedDisk(KvmMachine m, boolean keepMemory) {
    List<DiskSpec> disks = m.getSpec().disks == null ? List.of() : m.getSpec().disks;
    List<io.kvmop.api.DiskStatus> onRbd = RbdSnapshots.onRbd(m);
    if (!onRbd.isEmpty()) {
      List<String> rbd = onRbd.stream().map(d -> d.name).toList();
      List<String> local = disks.stream().map(d -> d.name).filter(n -> !rbd.contains(n)).toList();
      if (!local.isEmpty()) {
        return "machine "
            + m.getMetadata().getName()
            + " has disks on rbd pools ("
            + String.join(", ", rbd)
            + ") and in the node's pool ("
            + String.join(", ", local)
            + "): a snapshot holds all disks at one moment, which kvmop cannot promise across"
            + " the two; put every disk on one kind of storage. Nothing was changed";
      }
      if (keepMemory) {
        return "spec.memory: an RBD snapshot holds the disks only (the guest's memory would be"
            + " a file on one node); leave memory out (false): the guest's filesystems are frozen"
            + " through its agent, or it is held still, while the images are snapshotted";
      }
      return null;
    }
    for (int i = 0; i < disks.size(); i++) {
      if (!"qcow2".equals(DiskNames.formatOf(disks.get(i)))) {
        return "spec.disks["
            + i
            + "] ("
            + disks.get(i).name
            + ") of machine "
            + m.getMetadata().getName()
            + " is a raw volume: snapshots are kept inside qcow2 volumes, and a raw one cannot"
            + " hold them; use format qcow2 for disks you want to snapshot";
      }
    }
    return null;
  }

  private List<SnapshotDisk> disks(KvmMachine m, String domain) {
    List<SnapshotDisk> out = new ArrayList<>();
    var storage = machines.disks();
    List<DiskSpec> disks = m.getSpec().disks == null ? List.of() : m.getSpec().disks;
    for (DiskSpec d : disks) {
      String volume =
          DiskNames.volumeName(domain, d.name, m.getMetadata().getUid(), DiskNames.formatOf(d));
      Optional<VolumeState> v = libvirt.storage().findVolume(storage.config().poolName(), volume);
      out.add(
          new SnapshotDisk(
              d.name,
              volume,
              v.map(VolumeState::capacity).orElse(null),
              v.map(VolumeState::backingPath).orElse(null)));
    }
    return out;
  }

  private void thawQuietly(String domain) {
    try {
      libvirt.snapshots().thawFilesystems(domain);
    } catch (LibvirtError e) {
      LOG.debug("thaw of {}: {}", domain, e.getMessage()); // no agent, or nothing frozen
    }
  }

  private static String describe(KvmMachineSnapshot s) {
    return "kvmop KvmMachineSnapshot "
        + s.getMetadata().getNamespace()
        + "/"
        + s.getMetadata().getName()
        + " of machine "
        + s.getSpec().machine;
  }

  static String time(long epochSecond) {
    return Instant.ofEpochSecond(epochSecond).toString();
  }
}
