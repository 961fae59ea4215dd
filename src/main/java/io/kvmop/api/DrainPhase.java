package io.kvmop.api;

/** Where a cordoned host's drain stands, shown as a printer column. */
public enum DrainPhase {
  /** Machines are moving away. */
  Draining,
  /** No machine is left on the node. */
  Drained,
  /** The machines left cannot move (see cannotMove). */
  Blocked
}
