package io.kvmop.snapshot;

import io.kvmop.api.DiskStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmMachineSnapshotStatus;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.SnapshotState;
import io.kvmop.status.Blocker;
import io.kvmop.status.Happened;
import io.kvmop.status.Outcome;
import io.kvmop.status.Reasons;
import io.kvmop.storage.RbdSnapshots;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Takes a KvmMachineSnapshot of a machine whose disks are RBD images: the guest's filesystems
 * frozen through its agent where it answers, and a guest with more than one disk held still
 * (paused, noted on its first image so that a run killed meanwhile resumes it) while each image
 * gets its RBD snapshot, so that all are of one moment.
 */
final class RbdSnapshotTaker {
  private final String node;
  private final LibvirtPort libvirt;
  private final RbdSnapshots snapshots;
  private final Clock clock;

  RbdSnapshotTaker(String node, LibvirtPort libvirt, RbdSnapshots snapshots, Clock clock) {
    this.node = node;
    this.libvirt = libvirt;
    this.snapshots = snapshots;
    this.clock = clock;
  }

  /** Called holding the domain's lock; {@code d} is the machine's own domain. */
  Outcome<KvmMachineSnapshotStatus> take(
      KvmMachineSnapshot s,
      KvmMachine machine,
      String domain,
      DomainState d,
      List<DiskStatus> disks,
      SnapshotStatusBuilder b) {
    String name = s.libvirtName();
    boolean heldByUs = d.state() == DomainState.RunState.PAUSED && snapshots.pausedFor(disks, name);
    boolean active = d.state() != DomainState.RunState.SHUTOFF;
    boolean paused = d.state() == DomainState.RunState.PAUSED && !heldByUs;
    boolean hold = heldByUs || (active && !paused && disks.size() > 1);
    Boolean frozen = false;
    String why;
    if (!active) {
      why = "the machine was stopped: its disks were at rest";
    } else if (paused) {
      why = "the machine was paused: its agent cannot answer, and its disks were still";
    } else if (heldByUs) {
      why = "the guest was held still by an earlier run of the agent, which did not finish";
    } else {
      thaw(domain); // a run killed between freeze and thaw left it frozen
      try {
        frozen = libvirt.snapshots().freezeFilesystems(domain) >= 0;
        why = null;
      } catch (LibvirtError e) {
        frozen = false;
        why =
            "the guest agent did not freeze them ("
                + e.code()
                + ": "
                + e.libvirtMessage()
                + "); the disks are as after a power cut"
                + (disks.size() > 1 ? ", all of one moment (the guest was held still)" : "");
      }
    }
    RbdSnapshots.Result r;
    boolean noted = heldByUs;
    boolean suspended = heldByUs;
    try {
      if (hold && !heldByUs) {
        Optional<Blocker> refused = snapshots.notePause(disks, name);
        if (refused.isPresent()) {
          return pending(b, refused.get());
        }
        noted = true;
        libvirt.domains().suspendDomain(domain);
        suspended = true;
      }
      r = snapshots.take(machine, disks, name);
    } finally {
      if (suspended) {
        libvirt.domains().resumeDomain(domain);
      }
      if (noted) {
        snapshots.notePause(disks, null);
      }
      if (Boolean.TRUE.equals(frozen)) {
        thaw(domain);
      }
    }
    if (r.blocker() != null) {
      return pending(b, r.blocker());
    }
    String state = !active ? "shutoff" : paused ? "paused" : "running";
    KvmMachineSnapshotStatus st =
        b.ready(
            node,
            domain,
            machine.getMetadata().getUid(),
            new SnapshotState(name, null, state, clock.instant().getEpochSecond(), false),
            false,
            frozen,
            why,
            r.disks());
    List<Happened> done = new java.util.ArrayList<>(r.done());
    done.add(
        new Happened(
            Reasons.SNAPSHOT_TAKEN,
            "took RBD snapshot "
                + name
                + " of "
                + r.disks().stream().map(x -> x.volume).toList()
                + " ("
                + domain
                + ")"
                + (Boolean.TRUE.equals(frozen) ? " with the filesystems frozen" : "")));
    return new Outcome<>(st, null, done);
  }

  private static Outcome<KvmMachineSnapshotStatus> pending(SnapshotStatusBuilder b, Blocker x) {
    return new Outcome<>(b.pending(x.reason(), x.message()), SnapshotKeeper.WAIT, List.of());
  }

  private void thaw(String domain) {
    try {
      libvirt.snapshots().thawFilesystems(domain);
    } catch (LibvirtError e) {
      // no agent, or nothing frozen
    }
  }
}
