package io.kvmop.snapshot;

import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineRestore;
import io.kvmop.api.KvmMachineRestoreStatus;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmMachineSnapshotStatus;
import io.kvmop.api.RestorePhase;
import io.kvmop.api.RunStrategy;
import io.kvmop.api.SnapshotPhase;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtErrors;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.SnapshotPort.Then;
import io.kvmop.libvirt.SnapshotState;
import io.kvmop.machine.MachinePlanner;
import io.kvmop.machine.MachineRealizer;
import io.kvmop.status.Blocker;
import io.kvmop.status.Conditions;
import io.kvmop.status.Happened;
import io.kvmop.status.Outcome;
import io.kvmop.status.Progress;
import io.kvmop.status.Reasons;
import io.kvmop.storage.RbdSnapshots;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Brings a machine back to one of its snapshots, once: with the snapshot's memory the guest resumes
 * where it was; without, the domain is stopped, its disks reverted (RBD images rolled back, for a
 * machine on rbd pools), and it boots again if it should run. Holds the domain's lock throughout,
 * so no machine pass starts it in between.
 */
public final class Restorer {
  private final String node;
  private final LibvirtPort libvirt;
  private final MachineRealizer machines;
  private final Clock clock;

  public Restorer(String node, LibvirtPort libvirt, MachineRealizer machines, Clock clock) {
    this.node = node;
    this.libvirt = libvirt;
    this.machines = machines;
    this.clock = clock;
  }

  /** The new status, how soon to look again (null: on the next event), what was done. */
  /**
   * @param machine the machine it names, or null
   * @param snapshot the snapshot it names, or null
   */
  public Outcome<KvmMachineRestoreStatus> restore(
      KvmMachineRestore r, KvmMachine machine, KvmMachineSnapshot snapshot) {
    KvmMachineRestoreStatus prev = r.getStatus();
    if (prev != null
        && (prev.phase == RestorePhase.Succeeded || prev.phase == RestorePhase.Failed)) {
      return new Outcome<>(prev, null, List.of()); // done once, never again
    }
    String machineName = r.getSpec().machine;
    if (machine == null) {
      return pending(r, Reasons.MACHINE_NOT_FOUND, "no KvmMachine " + machineName + " here");
    }
    if (snapshot == null) {
      return pending(
          r, Reasons.SNAPSHOT_NOT_FOUND, "no KvmMachineSnapshot " + r.getSpec().snapshot + " here");
    }
    if (!machineName.equals(snapshot.getSpec().machine)) {
      return failed(
          r,
          Reasons.INVALID_SPEC,
          "spec.snapshot "
              + r.getSpec().snapshot
              + " is a snapshot of machine "
              + snapshot.getSpec().machine
              + ", not of "
              + machineName
              + "; name a snapshot of "
              + machineName
              + " (or clone the other machine's snapshot into a new machine)");
    }
    KvmMachineSnapshotStatus ss = snapshot.getStatus();
    if (ss == null || ss.phase != SnapshotPhase.Ready) {
      SnapshotPhase phase = ss == null || ss.phase == null ? SnapshotPhase.Pending : ss.phase;
      if (phase == SnapshotPhase.Failed || phase == SnapshotPhase.Lost) {
        return failed(
            r,
            Reasons.SNAPSHOT_NOT_READY,
            "snapshot " + r.getSpec().snapshot + " is " + phase + "; there is nothing to restore");
      }
      return pending(
          r, Reasons.SNAPSHOT_NOT_READY, "snapshot " + r.getSpec().snapshot + " is not taken yet");
    }
    if (!machine.getMetadata().getUid().equals(ss.machineUid)) {
      return failed(
          r,
          Reasons.SNAPSHOT_LOST,
          "snapshot "
              + r.getSpec().snapshot
              + " was taken of an earlier machine named "
              + machineName
              + " (uid "
              + ss.machineUid
              + "), whose volumes went with it");
    }
    String domain = machines.naming(machine).domainName();
    try {
      return machines.locks().with(domain, () -> revert(r, machine, ss, domain));
    } catch (LibvirtError e) {
      LibvirtErrors.Explained x = LibvirtErrors.explain(e);
      return pending(r, x.reason(), x.message());
    }
  }

  private Outcome<KvmMachineRestoreStatus> revert(
      KvmMachineRestore r, KvmMachine machine, KvmMachineSnapshotStatus ss, String domain) {
    Optional<DomainState> d = libvirt.domains().findDomain(domain);
    if (d.isEmpty() || !MachinePlanner.owns(d.get(), ss.machineUid)) {
      return pending(
          r,
          Reasons.PENDING,
          "machine " + machine.getMetadata().getName() + " has no domain on " + node + " now");
    }
    boolean active = d.get().state() != DomainState.RunState.SHUTOFF;
    RunStrategy rs = machine.getSpec().runStrategy;
    boolean shouldRun = rs != RunStrategy.Halted && (rs != RunStrategy.Manual || active);
    if (RbdSnapshots.isRbd(ss.disks)) {
      RbdSnapshots rbd = machines.disks().rbdSnapshots();
      var checked = rbd.check(ss.machineUid, ss.disks, ss.libvirtName);
      if (checked.blocker() != null) {
        return lostOrPending(r, checked.blocker());
      }
      if (active) {
        libvirt.domains().destroyDomain(domain); // QEMU must let go of the images first
      }
      var rolled = rbd.rollback(ss.machineUid, ss.disks, ss.libvirtName);
      if (rolled.blocker() != null) {
        return lostOrPending(r, rolled.blocker()); // the next look rolls back again, then boots
      }
      if (shouldRun) {
        libvirt.domains().startDomain(domain);
      }
      return succeeded(r, machine, ss, rs, shouldRun ? "Booted" : "Stopped");
    }
    Optional<SnapshotState> snap = libvirt.snapshots().findSnapshot(domain, ss.libvirtName);
    if (snap.isEmpty()) {
      return failed(
          r,
          Reasons.SNAPSHOT_LOST,
          "libvirt no longer has snapshot " + ss.libvirtName + " of " + domain);
    }
    String outcome;
    if (Boolean.TRUE.equals(ss.memory) && snap.get().memory()) {
      libvirt
          .snapshots()
          .revertToSnapshot(domain, ss.libvirtName, shouldRun ? Then.RUN : Then.PAUSE);
      if (!shouldRun) {
        libvirt.domains().destroyDomain(domain);
      }
      outcome = shouldRun ? "Resumed" : "Stopped";
    } else {
      if (active) {
        libvirt.domains().destroyDomain(domain); // its state is discarded: no shutdown to wait for
      }
      // taken running, its memory is not wanted: paused, then stopped before any guest code runs
      boolean taken = snap.get().memory();
      libvirt
          .snapshots()
          .revertToSnapshot(domain, ss.libvirtName, taken ? Then.PAUSE : Then.AS_TAKEN);
      if (taken) {
        libvirt.domains().destroyDomain(domain);
      }
      if (shouldRun) {
        libvirt.domains().startDomain(domain);
      }
      outcome = shouldRun ? "Booted" : "Stopped";
    }
    return succeeded(r, machine, ss, rs, outcome);
  }

  private Outcome<KvmMachineRestoreStatus> lostOrPending(KvmMachineRestore r, Blocker b) {
    if (Reasons.SNAPSHOT_LOST.equals(b.reason()) || Reasons.RBD_IMAGE_CONFLICT.equals(b.reason())) {
      return failed(r, Reasons.SNAPSHOT_LOST, b.message());
    }
    return pending(r, b.reason(), b.message());
  }

  private Outcome<KvmMachineRestoreStatus> succeeded(
      KvmMachineRestore r,
      KvmMachine machine,
      KvmMachineSnapshotStatus ss,
      RunStrategy rs,
      String outcome) {
    String message =
        "machine "
            + machine.getMetadata().getName()
            + " restored to snapshot "
            + r.getSpec().snapshot
            + " (taken "
            + ss.creationTime
            + ")"
            + switch (outcome) {
              case "Resumed" -> ": the guest resumed from the snapshot's memory";
              case "Booted" -> ": the guest booted from the restored disks";
              default -> "; left stopped (runStrategy " + rs + ")";
            };
    KvmMachineRestoreStatus st = status(r, RestorePhase.Succeeded, true, Reasons.RESTORED, message);
    st.outcome = outcome;
    st.completionTime = clock.instant().toString();
    return new Outcome<>(st, null, List.of(new Happened(Reasons.RESTORED, message)));
  }

  private Outcome<KvmMachineRestoreStatus> pending(
      KvmMachineRestore r, String reason, String message) {
    return new Outcome<>(
        status(r, RestorePhase.Pending, false, reason, message), SnapshotKeeper.WAIT, List.of());
  }

  private Outcome<KvmMachineRestoreStatus> failed(
      KvmMachineRestore r, String reason, String message) {
    return new Outcome<>(
        status(r, RestorePhase.Failed, false, reason, message + "; nothing was changed"),
        null,
        List.of());
  }

  private KvmMachineRestoreStatus status(
      KvmMachineRestore r, RestorePhase phase, boolean ready, String reason, String message) {
    KvmMachineRestoreStatus prev = r.getStatus();
    KvmMachineRestoreStatus st = new KvmMachineRestoreStatus();
    st.observedGeneration = r.getMetadata().getGeneration();
    st.phase = phase;
    st.nodeName = node;
    st.startTime =
        prev != null && prev.startTime != null ? prev.startTime : clock.instant().toString();
    Conditions c =
        new Conditions(
            prev == null ? null : prev.conditions, st.observedGeneration, clock.instant());
    c.set(Conditions.READY, ready, reason, message);
    if (!ready && phase == RestorePhase.Failed) {
      c.set(Progress.STALLED, true, reason, message);
    } else {
      Progress.fromReady(c);
    }
    st.conditions = c.build();
    return st;
  }
}
