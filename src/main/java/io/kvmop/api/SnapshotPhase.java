package io.kvmop.api;

/** Where a KvmMachineSnapshot stands, shown as a printer column. */
public enum SnapshotPhase {
  /** Waiting for the machine or its node. */
  Pending,
  /** Taken: it can be restored and cloned from. */
  Ready,
  /** Not taken (a snapshot is taken once: delete it and make another). */
  Failed,
  /** Its machine and the data in its volumes are gone. */
  Lost
}
