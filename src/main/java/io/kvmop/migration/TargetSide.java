package io.kvmop.migration;

import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.KvmMachineMigrationStatus;
import io.kvmop.api.MigrationPhase;
import io.kvmop.disk.DiskProvisioner;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.machine.NetworkBinding;
import io.kvmop.machine.NodePolicy;
import io.kvmop.placement.NodeLedger;
import io.kvmop.placement.Placement;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The target node's steps of a migration: reserves room and prepares the machine (Preparing),
 * confirms its arrival (Migrating), and when it failed gives the room back and discards what it
 * prepared.
 */
public final class TargetSide {
  /**
   * How often an arrival is looked for while the copy runs (libvirt's event is on the other node).
   */
  static final Duration WATCH = Duration.ofSeconds(1);

  private final String node;
  private final Arrival arrival;
  private final NodeLedger ledger;
  private final Clock clock;

  public TargetSide(String node, Arrival arrival, NodeLedger ledger, Clock clock) {
    this.node = node;
    this.arrival = arrival;
    this.ledger = ledger;
    this.clock = clock;
  }

  /** Preparing: room, then the disks, seed, serial log directory and networks. */
  public MigrationOutcome prepare(
      KvmMachineMigration mig,
      KvmMachine m,
      NodeLedger.Claim claim,
      List<NetworkBinding> bindings,
      NodePolicy policy,
      DiskProvisioner.Secrets secrets) {
    Instant now = clock.instant();
    String uid = m.getMetadata().getUid();
    Optional<String> full =
        ledger.exceedsNode(claim)
            ? Optional.of("the machine is larger than the node")
            : ledger.reserve(uid, claim);
    if (full.isPresent()) {
      return refused(mig, "node " + node + " has no room: " + full.get(), now);
    }
    ledger.touch(uid);
    Arrival.Prepared p;
    try {
      p = arrival.prepare(m, bindings, policy, secrets, node);
    } catch (LibvirtError e) {
      return MigrationOutcome.nothing(Duration.ofSeconds(5)); // libvirt will answer again
    }
    if (p.refusal() != null) {
      ledger.release(uid);
      arrival.discard(m);
      return refused(mig, p.refusal(), now);
    }
    if (p.waiting() != null) {
      KvmMachineMigrationStatus s =
          MigrationStatuses.at(
              mig, MigrationPhase.Preparing, Reasons.PREPARING_TARGET, p.waiting(), now);
      return new MigrationOutcome(
          s, MigrationOutcome.MachineChange.NONE, false, Duration.ofSeconds(1), p.done());
    }
    KvmMachineMigrationStatus s =
        MigrationStatuses.at(
            mig,
            MigrationPhase.Prepared,
            Reasons.MIGRATION_PREPARED,
            "node "
                + node
                + " is ready for the machine: "
                + p.files().size()
                + " file(s) prepared"
                + (p.shared().isEmpty()
                    ? ""
                    : "; disk(s) "
                        + String.join(", ", p.shared())
                        + " on shared storage, not copied"),
            now);
    s.preparedFiles = p.files();
    s.sharedDisks = p.shared();
    s.storage = p.copied().isEmpty() ? "MemoryOnly" : "Copied";
    return new MigrationOutcome(s, MigrationOutcome.MachineChange.NONE, false, null, p.done());
  }

  private MigrationOutcome refused(KvmMachineMigration mig, String why, Instant now) {
    return MigrationOutcome.write(
        MigrationStatuses.failed(
            mig,
            Reasons.TARGET_REFUSED,
            why + "; the machine keeps running on node " + mig.getStatus().sourceNode,
            now),
        null);
  }

  /**
   * Prepared and Migrating: the room stays held (taken again by an agent that restarted meanwhile:
   * the machine is on its way); the machine's arrival is confirmed.
   */
  public MigrationOutcome await(KvmMachineMigration mig, KvmMachine m, NodeLedger.Claim claim) {
    ledger.reserve(m.getMetadata().getUid(), claim); // held already: nothing changes
    ledger.touch(m.getMetadata().getUid());
    KvmMachineMigrationStatus old = mig.getStatus();
    if (MigrationPhase.Migrating != old.phase || Boolean.TRUE.equals(old.targetConfirmed)) {
      return MigrationOutcome.nothing(WATCH);
    }
    boolean here;
    try {
      here = arrival.arrived(m);
    } catch (LibvirtError e) {
      here = false;
    }
    if (!here) {
      return MigrationOutcome.nothing(WATCH);
    }
    KvmMachineMigrationStatus s = MigrationStatuses.copy(mig);
    s.targetConfirmed = true;
    return MigrationOutcome.write(s, WATCH);
  }

  /**
   * The source node's agent stopped renewing its Lease while the machine was on its way (the node
   * died, or lost the API): nobody else will finish the migration, so the target decides. A guest
   * that arrived and runs here (libvirt resumes it only once the source's copy has stopped) is
   * taken over, as a finished migration would hand it over; an incoming copy not running yet is
   * destroyed, so that the source can never finish it later, and the migration fails: the machine
   * stays with its node, and spec.failover says whether it restarts elsewhere.
   */
  public MigrationOutcome sourceSilent(KvmMachineMigration mig, KvmMachine m) {
    Instant now = clock.instant();
    String source = mig.getStatus().sourceNode;
    Optional<io.kvmop.libvirt.DomainState> here;
    try {
      here = arrival.domain(m);
      if (here.isPresent()
          && here.get().persistent()
          && here.get().state() == io.kvmop.libvirt.DomainState.RunState.RUNNING) {
        String message =
            "node "
                + source
                + "'s agent stopped renewing its Lease during the migration, after the guest had"
                + " arrived and was running here: node "
                + node
                + " takes machine "
                + mig.getSpec().machine
                + " over (node "
                + source
                + " removes what it kept of it when it is back)";
        KvmMachineMigrationStatus s =
            MigrationStatuses.succeeded(mig, Reasons.MIGRATED, message, now);
        s.targetConfirmed = true;
        return new MigrationOutcome(
            s,
            MigrationOutcome.MachineChange.HAND_OVER,
            false,
            null,
            List.of(new Happened(Reasons.MIGRATED, message)));
      }
      if (here.isPresent()) {
        arrival.abortIncoming(m);
      }
    } catch (LibvirtError e) {
      return MigrationOutcome.nothing(Duration.ofSeconds(2)); // libvirt answers again soon
    }
    String message =
        "node "
            + source
            + "'s agent stopped renewing its Lease during the migration, before the guest ran on"
            + " node "
            + node
            + (here.isPresent() ? " (its incoming copy here was destroyed)" : "")
            + "; the migration is given up and machine "
            + mig.getSpec().machine
            + " stays with node "
            + source
            + " (with spec.failover.policy Restart it restarts elsewhere once its node is judged"
            + " dead)";
    return new MigrationOutcome(
        MigrationStatuses.failed(mig, Reasons.MIGRATION_SOURCE_LOST, message, now),
        MigrationOutcome.MachineChange.DROP_TARGET_FINALIZER,
        false,
        null,
        List.of(new Happened(Reasons.MIGRATION_SOURCE_LOST, message)));
  }

  /**
   * Once it ended: after a failure the room is given back and what was prepared is discarded (never
   * while the machine's domain is here); after a Pause fallback the guest runs again.
   */
  public MigrationOutcome after(KvmMachineMigration mig, KvmMachine m) {
    KvmMachineMigrationStatus old = mig.getStatus();
    if (MigrationPhase.Succeeded == old.phase) {
      if ("Pause".equals(old.fallback) && m != null) {
        try {
          arrival.resumeIfPaused(m);
        } catch (LibvirtError e) {
          return MigrationOutcome.nothing(Duration.ofSeconds(2));
        }
      }
      return MigrationOutcome.nothing(null);
    }
    if (Boolean.TRUE.equals(old.targetCleaned) || old.machineUid == null) {
      return MigrationOutcome.nothing(null);
    }
    boolean placedHere =
        m != null
            && m.getMetadata().getLabels() != null
            && node.equals(m.getMetadata().getLabels().get(Placement.LABEL));
    if (placedHere) {
      return MigrationOutcome.nothing(null); // it lives here after all: nothing is a copy
    }
    List<Happened> done = new ArrayList<>();
    ledger.release(old.machineUid);
    boolean same = m != null && m.getMetadata().getUid().equals(old.machineUid);
    if (same || (old.preparedFiles != null && old.domain != null)) {
      Optional<List<Happened>> discarded;
      try {
        discarded =
            same
                ? arrival.discard(m)
                : arrival.discardPrepared(old.domain, old.machineUid, old.preparedFiles);
      } catch (LibvirtError e) {
        discarded = Optional.empty();
      }
      if (discarded.isEmpty()) {
        return MigrationOutcome.nothing(Duration.ofSeconds(5));
      }
      done.addAll(discarded.get());
    }
    KvmMachineMigrationStatus s = MigrationStatuses.copy(mig);
    s.targetCleaned = true;
    return new MigrationOutcome(s, MigrationOutcome.MachineChange.NONE, false, null, done);
  }
}
