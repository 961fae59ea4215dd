package io.kvmop.api;

/** When the machine runs, as KubeVirt defines these strategies. */
public enum RunStrategy {
  /** Always running: started again whenever it stops, whatever the cause. */
  Always,
  /**
   * Started once; started again only when it stops by failure (crash, destroy), not on guest
   * shutdown.
   */
  RerunOnFailure,
  /** Defined but never started or stopped by kvmop: start and stop it yourself (virsh). */
  Manual,
  /** Stopped: shut down gracefully, destroyed after shutdownTimeout. */
  Halted
}
