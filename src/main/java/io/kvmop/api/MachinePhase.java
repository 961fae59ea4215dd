package io.kvmop.api;

/** Summary of a KvmMachine's state, shown as a printer column. */
public enum MachinePhase {
  Pending,
  Scheduled,
  Provisioning,
  Starting,
  Running,
  Paused,
  Stopping,
  Stopped,
  Failed,
  Terminating
}
