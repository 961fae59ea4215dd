package io.kvmop.api;

/** Where a KvmMachineRestore stands, shown as a printer column. */
public enum RestorePhase {
  /** Waiting for its snapshot to be Ready, or for the machine's node. */
  Pending,
  /** The machine's disks are as the snapshot holds them. */
  Succeeded,
  /** Not restored; nothing was changed. */
  Failed
}
