package io.kvmop.failover;

import io.kvmop.api.KvmMachine;
import io.kvmop.api.RunStrategy;
import io.kvmop.placement.Placement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a machine leaves its node because the node died, and when. Pure. The only signal is the
 * node's agent Lease (coordination.k8s.io, in kvmop's own namespace, written by that node's agent
 * alone: tenants have no write access there, and a KvmMachine's spec or status cannot move it): a
 * node is dead once its Lease has not been renewed for its duration plus the clocks' leeway, and
 * its Restart machines leave {@code spec.failover.after} later. A node with no Lease at all is not
 * judged (an agent never ran there, or the admin removed it): nothing leaves it.
 */
public final class FailoverPlanner {
  /** Leeway for clocks between nodes, as placement judges Leases. */
  public static final Duration SKEW = Duration.ofSeconds(5);

  private FailoverPlanner() {}

  /** A node's agent Lease as read: when it was last renewed, for how long that holds. */
  public record NodeLease(String node, String holder, Instant renewed, Duration duration) {
    /** When the node counts as dead, if it is not renewed again. */
    public Instant expires() {
      return renewed.plus(duration).plus(SKEW);
    }
  }

  public enum Kind {
    /** Nothing to do for this machine. */
    NONE,
    /** Its node is silent: look again then. */
    WAIT,
    /** Fence its storage, then take it off its node. */
    FAIL_OVER,
    /** Taken off in status already: the label and the dead node's finalizer go too. */
    FINISH,
    /**
     * Deleted while its node is dead: its images on shared storage are released from here (its
     * writers fenced first) and the dead node's finalizer goes.
     */
    RECLAIM
  }

  public record Decision(Kind kind, Duration after, String reason) {
    static final Decision NONE = new Decision(Kind.NONE, null, null);
  }

  /**
   * @param held the finalizer by which the lease's node holds a machine (a deleted machine waits
   *     for it)
   */
  public static Decision decide(KvmMachine m, Optional<NodeLease> lease, Instant now, String held) {
    if (m.getSpec() != null && m.getMetadata().getDeletionTimestamp() != null) {
      return deleted(m, lease, now, held);
    }
    if (m.getSpec() == null || !FailoverRules.restarts(m.getSpec())) {
      return Decision.NONE;
    }
    String labelled = Placement.placedOn(m).orElse(null);
    String decided = m.getStatus() == null ? null : m.getStatus().nodeName;
    var last = m.getStatus() == null ? null : m.getStatus().failover;
    if (decided == null && labelled != null && last != null && labelled.equals(last.fromNode)) {
      return new Decision(Kind.FINISH, null, last.reason);
    }
    if (decided == null || !decided.equals(labelled)) {
      return Decision.NONE; // not placed, or being placed or handed over: placement's, not ours
    }
    RunStrategy run = m.getSpec().runStrategyOrDefault();
    if (run == RunStrategy.Halted || run == RunStrategy.Manual) {
      return Decision.NONE; // not kept running by kvmop: it waits for its node
    }
    if (lease.isEmpty() || lease.get().renewed() == null) {
      return Decision.NONE;
    }
    NodeLease l = lease.get();
    Instant due = l.expires().plus(FailoverRules.after(m.getSpec()));
    if (now.isBefore(l.expires())) {
      return Decision.NONE; // alive
    }
    if (now.isBefore(due)) {
      return new Decision(Kind.WAIT, Duration.between(now, due), null);
    }
    return new Decision(
        Kind.FAIL_OVER,
        null,
        "the kvmop agent of node "
            + decided
            + " last renewed its node Lease at "
            + l.renewed()
            + " (held "
            + l.duration().toSeconds()
            + " s); silent since "
            + l.expires()
            + ", and spec.failover.after "
            + FailoverRules.after(m.getSpec()).toSeconds()
            + " s have passed");
  }

  /**
   * A machine being deleted whose node is dead and still holds it (its finalizer): released from
   * another node once the node has been silent for as long as a failover would wait.
   */
  private static Decision deleted(
      KvmMachine m, Optional<NodeLease> lease, Instant now, String held) {
    if (lease.isEmpty() || lease.get().renewed() == null) {
      return Decision.NONE;
    }
    String node = lease.get().node();
    var finalizers = m.getMetadata().getFinalizers();
    if (finalizers == null || !finalizers.contains(held)) {
      return Decision.NONE;
    }
    Instant due = lease.get().expires().plus(FailoverRules.after(m.getSpec()));
    if (now.isBefore(lease.get().expires())) {
      return Decision.NONE;
    }
    if (now.isBefore(due)) {
      return new Decision(Kind.WAIT, Duration.between(now, due), null);
    }
    return new Decision(
        Kind.RECLAIM,
        null,
        "deleted while node "
            + node
            + " is dead (its agent last renewed its node Lease at "
            + lease.get().renewed()
            + ")");
  }
}
