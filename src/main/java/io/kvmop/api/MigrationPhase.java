package io.kvmop.api;

/** Where a KvmMachineMigration stands, shown as a printer column. */
public enum MigrationPhase {
  /** Waiting for the machine to run. */
  Pending,
  /** The target node creates the disks and checks networks and room. */
  Preparing,
  /** The target is ready to receive the machine. */
  Prepared,
  /** The copy runs. */
  Migrating,
  /** The machine runs on the target node. */
  Succeeded,
  /** The machine runs where it was. */
  Failed;

  /** Whether the migration has ended (it never starts again). */
  public boolean ended() {
    return this == Succeeded || this == Failed;
  }
}
