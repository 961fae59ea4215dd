package io.kvmop.api;

/** Summary of a KvmNetwork's state, shown as a printer column. */
public enum NetworkPhase {
  Pending,
  Ready,
  Degraded,
  Failed,
  Terminating
}
