package io.kvmop.migration;

import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.KvmMachineMigrationSpec.OnTimeout;
import io.kvmop.api.KvmMachineMigrationStatus;
import io.kvmop.api.MigrationPhase;
import io.kvmop.api.Quantities;
import io.kvmop.libvirt.LibvirtCode;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.MigrationPort;
import io.kvmop.placement.Placement;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The machine's own node's steps of a migration: checks it and picks the target (Pending), starts
 * the copy once the target is prepared (Prepared), follows it, applies onTimeout, and ends it
 * (Migrating): on success its copies here are discarded and the machine is handed over; on failure
 * the machine keeps running here.
 */
public final class SourceSide {
  /** How often a running copy's figures are read (libvirt raises no progress event). */
  static final Duration FOLLOW = Duration.ofSeconds(1);

  /** How many times a copy interrupted by an agent restart is started again. */
  static final int MAX_ATTEMPTS = 3;

  private final String node;
  private final LibvirtPort libvirt;
  private final MigrationRunner runner;
  private final Arrival copies;
  private final Clock clock;

  public SourceSide(
      String node, LibvirtPort libvirt, MigrationRunner runner, Arrival copies, Clock clock) {
    this.node = node;
    this.libvirt = libvirt;
    this.runner = runner;
    this.copies = copies;
    this.clock = clock;
  }

  public MigrationRunner runner() {
    return runner;
  }

  /**
   * Pending: whether and where the machine can move.
   *
   * @param busy another migration of the machine that is not finished, or null
   */
  public MigrationOutcome start(
      KvmMachineMigration mig,
      KvmMachine m,
      String domain,
      String busy,
      List<KvmHost> hosts,
      Placement.Request want,
      Function<List<KvmHost>, List<Placement.Candidate>> candidates) {
    Instant now = clock.instant();
    List<String> problems = new ArrayList<>(MigrationChecks.problems(m));
    if (busy != null) {
      problems.add("migration " + busy + " of this machine has not finished");
    }
    if (problems.isEmpty()) {
      try {
        int snapshots = libvirt.snapshots().listSnapshots(domain).size();
        if (snapshots > 0) {
          problems.add(
              "it has "
                  + snapshots
                  + " snapshot(s), kept inside its volumes on node "
                  + node
                  + ", which libvirt cannot move: delete its KvmMachineSnapshots first");
        }
      } catch (LibvirtError e) {
        return MigrationOutcome.nothing(Duration.ofSeconds(5)); // libvirt will answer again
      }
    }
    if (!problems.isEmpty()) {
      return MigrationOutcome.write(
          MigrationStatuses.failed(
              mig,
              Reasons.NOT_MIGRATABLE,
              "machine " + m.getMetadata().getName() + " cannot move live: " + join(problems),
              now),
          null);
    }
    String waiting = MigrationChecks.notRunning(m);
    if (waiting != null) {
      KvmMachineMigrationStatus s =
          MigrationStatuses.at(
              mig, MigrationPhase.Pending, Reasons.WAITING_FOR_MACHINE, waiting, now);
      return MigrationOutcome.write(s, Duration.ofSeconds(5));
    }
    MigrationChecks.Target t = MigrationChecks.choose(mig, node, hosts, want, candidates);
    if (t.node() == null) {
      return MigrationOutcome.write(
          MigrationStatuses.failed(mig, Reasons.NO_TARGET_NODE, t.refusal(), now), null);
    }
    KvmMachineMigrationStatus s =
        MigrationStatuses.at(
            mig,
            MigrationPhase.Preparing,
            Reasons.PREPARING_TARGET,
            "node " + t.node() + " prepares the machine's disks, seed and networks",
            now);
    s.sourceNode = node;
    s.targetNode = t.node();
    s.machineUid = m.getMetadata().getUid();
    s.domain = domain;
    return MigrationOutcome.write(s, null);
  }

  /** Prepared: the copy starts, once the target's finalizer is on the machine. */
  public MigrationOutcome copy(KvmMachineMigration mig, KvmMachine m) {
    Instant now = clock.instant();
    String waiting = MigrationChecks.notRunning(m);
    if (m.isMarkedForDeletion() || waiting != null) {
      return new MigrationOutcome(
          MigrationStatuses.failed(
              mig,
              Reasons.MIGRATION_FAILED,
              m.isMarkedForDeletion() ? "the machine is being deleted" : waiting,
              now),
          MigrationOutcome.MachineChange.NONE,
          false,
          null,
          List.of());
    }
    KvmMachineMigrationStatus s =
        MigrationStatuses.at(
            mig,
            MigrationPhase.Migrating,
            Reasons.MIGRATING,
            "copying to node " + mig.getStatus().targetNode,
            now);
    s.startTime = now.toString();
    s.attempts = 1;
    return new MigrationOutcome(
        s, MigrationOutcome.MachineChange.ADD_TARGET_FINALIZER, true, FOLLOW, List.of());
  }

  /** Migrating: follows the copy, applies onTimeout, and ends it. */
  public MigrationOutcome follow(KvmMachineMigration mig, KvmMachine m) {
    Instant now = clock.instant();
    KvmMachineMigrationStatus old = mig.getStatus();
    MigrationRunner.Look look = runner.look(old.domain, old.machineUid);
    switch (look.state()) {
      case COPYING:
        return copying(mig, m, look, now);
      case DONE:
        return arrived(mig, m, "libvirt moved it", now);
      case GONE:
        if (Boolean.TRUE.equals(old.targetConfirmed)) {
          return arrived(mig, m, "node " + old.targetNode + " has it", now);
        }
        return MigrationOutcome.write(
            MigrationStatuses.at(
                mig,
                MigrationPhase.Migrating,
                Reasons.MIGRATING,
                "the domain left node "
                    + node
                    + "; waiting for node "
                    + old.targetNode
                    + "'s agent to report it there",
                now),
            Duration.ofSeconds(2));
      case FAILED:
        runner.finished(old.domain, true);
        return failed(mig, look.error(), now);
      case IDLE:
      default:
        int attempts = old.attempts == null ? 1 : old.attempts;
        if (m == null || m.isMarkedForDeletion() || attempts >= MAX_ATTEMPTS) {
          runner.finished(old.domain, true);
          return new MigrationOutcome(
              MigrationStatuses.failed(
                  mig,
                  Reasons.MIGRATION_FAILED,
                  "the copy was interrupted (the agent restarted) "
                      + attempts
                      + " time(s); the machine keeps running on node "
                      + node,
                  now),
              MigrationOutcome.MachineChange.DROP_TARGET_FINALIZER,
              false,
              null,
              List.of());
        }
        KvmMachineMigrationStatus s = MigrationStatuses.copy(mig);
        s.attempts = attempts + 1;
        return new MigrationOutcome(
            s, MigrationOutcome.MachineChange.NONE, true, FOLLOW, List.of());
    }
  }

  /** The copy runs: its figures, and onTimeout once the timeout passed. */
  private MigrationOutcome copying(
      KvmMachineMigration mig, KvmMachine m, MigrationRunner.Look look, Instant now) {
    KvmMachineMigrationStatus s = MigrationStatuses.copy(mig);
    List<Happened> happened = new ArrayList<>();
    String domain = s.domain;
    try {
      if (m == null || m.isMarkedForDeletion()) {
        if (!"Deleted".equals(s.fallback)) {
          runner.abort(domain);
          s.fallback = "Deleted";
        }
      } else if (s.fallback == null && timedOut(mig, now)) {
        OnTimeout what = mig.getSpec().onTimeoutOrDefault();
        switch (what) {
          case Pause -> runner.pause(domain);
          case Postcopy -> runner.postcopy(domain);
          default -> runner.abort(domain);
        }
        s.fallback = what.name();
        happened.add(
            new Happened(
                Reasons.MIGRATION_FALLBACK,
                "the copy ran past spec.timeout "
                    + mig.getSpec().timeout
                    + ": "
                    + switch (what) {
                      case Pause -> "guest paused so that the copy completes";
                      case Postcopy -> "switched to post-copy: the guest runs on the target now";
                      default -> "cancelled";
                    }));
      }
    } catch (LibvirtError e) {
      // the copy ended between the look and this call: the next look shows how
    }
    // the figures after the fallback: its mode (paused, post-copy) shows in the same write
    look.progress().ifPresent(p -> s.progress = MigrationStatuses.progress(p, s.fallback));
    return new MigrationOutcome(s, MigrationOutcome.MachineChange.NONE, false, FOLLOW, happened);
  }

  private static boolean timedOut(KvmMachineMigration mig, Instant now) {
    String started = mig.getStatus().startTime;
    Duration limit = Quantities.duration(mig.getSpec().timeout).orElse(Duration.ofMinutes(10));
    return started != null && Instant.parse(started).plus(limit).isBefore(now);
  }

  /**
   * The machine runs on the target: this node's copies of its disks, seed and serial log go (the
   * domain is gone here, so nothing of it is in use), then the machine is handed over.
   */
  private MigrationOutcome arrived(KvmMachineMigration mig, KvmMachine m, String how, Instant now) {
    KvmMachineMigrationStatus old = mig.getStatus();
    List<Happened> happened = new ArrayList<>();
    if (m != null && !Boolean.TRUE.equals(old.sourceCleaned)) {
      Optional<List<Happened>> discarded = copies.discard(m);
      if (discarded.isEmpty()) {
        return MigrationOutcome.nothing(Duration.ofSeconds(2)); // libvirt busy: again soon
      }
      happened.addAll(discarded.get());
    }
    runner.finished(old.domain, false);
    String message =
        "machine "
            + mig.getSpec().machine
            + " runs on node "
            + old.targetNode
            + " ("
            + how
            + "); its copies on node "
            + node
            + " are gone";
    KvmMachineMigrationStatus s = MigrationStatuses.succeeded(mig, Reasons.MIGRATED, message, now);
    s.sourceCleaned = m != null;
    happened.add(new Happened(Reasons.MIGRATED, message));
    return new MigrationOutcome(
        s, MigrationOutcome.MachineChange.HAND_OVER, false, null, List.copyOf(happened));
  }

  private MigrationOutcome failed(KvmMachineMigration mig, LibvirtError e, Instant now) {
    KvmMachineMigrationStatus old = mig.getStatus();
    String fallback = old.fallback;
    String reason =
        "Deleted".equals(fallback)
            ? Reasons.MIGRATION_ABORTED
            : fallback != null ? Reasons.MIGRATION_TIMED_OUT : Reasons.MIGRATION_FAILED;
    String why =
        "Deleted".equals(fallback)
            ? "cancelled: the machine is being deleted"
            : "Abort".equals(fallback)
                ? "cancelled after spec.timeout " + mig.getSpec().timeout
                : "libvirt: " + e.operation() + " failed (" + e.code() + "): " + e.libvirtMessage();
    String message =
        why
            + "; the machine keeps running on node "
            + node
            + (fallback == null && unreachable(e)
                ? " (check that node "
                    + old.targetNode
                    + "'s libvirtd is reachable at its KvmHost's status.migration.uri and its"
                    + " address from node "
                    + node
                    + ")"
                : "");
    KvmMachineMigrationStatus s = MigrationStatuses.failed(mig, reason, message, now);
    return new MigrationOutcome(
        s,
        MigrationOutcome.MachineChange.DROP_TARGET_FINALIZER,
        false,
        null,
        List.of(new Happened(reason, message)));
  }

  /** Whether libvirt's error says the target could not be reached (rather than refused). */
  static boolean unreachable(LibvirtError e) {
    return java.util.Set.of(
                LibvirtCode.SYSTEM_ERROR,
                LibvirtCode.NO_CONNECT,
                LibvirtCode.AUTH_FAILED,
                LibvirtCode.RPC,
                LibvirtCode.OPERATION_TIMEOUT)
            .contains(e.kind())
        || String.valueOf(e.libvirtMessage())
            .toLowerCase(java.util.Locale.ROOT)
            .contains("connect");
  }

  /** The libvirt request for a prepared migration, to the target's published endpoint. */
  public static Optional<MigrationPort.Request> request(KvmMachineMigration mig, KvmHost target) {
    if (target == null
        || target.getStatus() == null
        || target.getStatus().migration == null
        || MigrationUris.problem(target.getStatus().migration.uri) != null) {
      return Optional.empty();
    }
    var e = target.getStatus().migration;
    Integer bw = mig.getSpec().bandwidthMiB;
    return Optional.of(
        new MigrationPort.Request(
            e.uri,
            e.address,
            mig.getSpec().onTimeoutOrDefault() == OnTimeout.Postcopy,
            bw == null ? 0 : bw));
  }

  private static String join(List<String> problems) {
    return String.join("; ", problems);
  }
}
