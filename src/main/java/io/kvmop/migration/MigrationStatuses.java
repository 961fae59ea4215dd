package io.kvmop.migration;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.KvmMachineMigrationStatus;
import io.kvmop.api.MigrationPhase;
import io.kvmop.api.Quantities;
import io.kvmop.libvirt.MigrationPort;
import io.kvmop.status.Conditions;
import io.kvmop.status.Progress;
import java.time.Instant;
import java.util.Optional;

/**
 * A migration's next status, built from its last one: the phase, the Ready condition with reason
 * and message (Reconciling while it runs, Stalled once it failed, as kstatus reads them), and
 * libvirt's progress figures.
 */
public final class MigrationStatuses {
  private MigrationStatuses() {}

  /** Whether the migration is over (nothing more happens but cleaning up). */
  public static boolean finished(KvmMachineMigration mig) {
    return mig.getStatus() != null
        && mig.getStatus().phase != null
        && mig.getStatus().phase.ended();
  }

  /** A copy of the migration's status to change (a new one when it has none). */
  static KvmMachineMigrationStatus copy(KvmMachineMigration mig) {
    return mig.getStatus() == null
        ? new KvmMachineMigrationStatus()
        : Serialization.clone(mig.getStatus());
  }

  /** The status in {@code phase}, Ready False with {@code reason} and {@code message}. */
  static KvmMachineMigrationStatus at(
      KvmMachineMigration mig, MigrationPhase phase, String reason, String message, Instant now) {
    KvmMachineMigrationStatus s = copy(mig);
    s.phase = phase;
    Conditions c =
        new Conditions(s.conditions, mig.getMetadata().getGeneration(), now)
            .set(Conditions.READY, false, reason, message);
    c.set(Progress.RECONCILING, true, reason, message);
    s.conditions = c.build();
    return s;
  }

  public static KvmMachineMigrationStatus failed(
      KvmMachineMigration mig, String reason, String message, Instant now) {
    KvmMachineMigrationStatus s = copy(mig);
    s.phase = MigrationPhase.Failed;
    s.completionTime = now.toString();
    Conditions c =
        new Conditions(s.conditions, mig.getMetadata().getGeneration(), now)
            .set(Conditions.READY, false, reason, message)
            .set(Progress.RECONCILING, false, reason, message)
            .set(Progress.STALLED, true, reason, message);
    s.conditions = c.build();
    return s;
  }

  static KvmMachineMigrationStatus succeeded(
      KvmMachineMigration mig, String reason, String message, Instant now) {
    KvmMachineMigrationStatus s = copy(mig);
    s.phase = MigrationPhase.Succeeded;
    s.completionTime = now.toString();
    Conditions c =
        new Conditions(s.conditions, mig.getMetadata().getGeneration(), now)
            .set(Conditions.READY, true, reason, message)
            .set(Progress.RECONCILING, false, reason, message);
    s.conditions = c.build();
    return s;
  }

  /** libvirt's job figures as status shows them. */
  static KvmMachineMigrationStatus.Progress progress(MigrationPort.JobProgress p, String fallback) {
    KvmMachineMigrationStatus.Progress out = new KvmMachineMigrationStatus.Progress();
    out.dataTotalBytes = p.dataTotal();
    out.dataProcessedBytes = p.dataProcessed();
    out.dataRemainingBytes = p.dataRemaining();
    out.dataRemaining = Quantities.human(p.dataRemaining());
    out.memoryDirtyRateBytes = p.memoryDirtyRate();
    out.iteration = p.iteration();
    out.downtimeMillis = p.downtimeMillis();
    out.elapsedMillis = p.elapsedMillis();
    out.mode =
        "Postcopy".equals(fallback) ? "postcopy" : "Pause".equals(fallback) ? "paused" : "precopy";
    return out;
  }

  /** The migration of a machine from this node that is copying it now, if any. */
  public static Optional<KvmMachineMigration> leaving(
      java.util.stream.Stream<KvmMachineMigration> migrations, KvmMachine m, String node) {
    return migrations
        .filter(g -> g.getStatus() != null && MigrationPhase.Migrating == g.getStatus().phase)
        .filter(g -> node.equals(g.getStatus().sourceNode))
        .filter(g -> m.getMetadata().getUid().equals(g.getStatus().machineUid))
        .findFirst();
  }
}
