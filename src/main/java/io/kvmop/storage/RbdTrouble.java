package io.kvmop.storage;

import io.kvmop.ceph.CephError;
import io.kvmop.status.Blocker;
import io.kvmop.status.Reasons;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a machine is told when an rbd pool cannot be used now: Ceph out of reach or refusing the key
 * (with what to check), or the pool full (with what lifts it); never the key.
 */
final class RbdTrouble {
  private RbdTrouble() {}

  /** Why the pool takes no writes now, as the reason a machine waits, or empty. */
  static Optional<Blocker> full(RbdAccess.Reached at, String doing) {
    return at.images()
        .full()
        .map(
            why ->
                new Blocker(
                    Reasons.STORAGE_FULL,
                    "KvmStoragePool "
                        + at.name()
                        + " (Ceph pool "
                        + at.spec().pool
                        + ") takes no writes now: "
                        + why
                        + ". "
                        + doing
                        + " waits for room; kvmop looks again every 10 s, and nothing was"
                        + " written"));
  }

  static Blocker unavailable(RbdAccess.Reached at, CephError e) {
    return new Blocker(
        Reasons.STORAGE_UNAVAILABLE,
        "KvmStoragePool "
            + at.name()
            + " (Ceph pool "
            + at.spec().pool
            + " at "
            + at.monitors().stream()
                .map(h -> h.name() + ":" + h.port())
                .collect(Collectors.joining(","))
            + "): "
            + e.getMessage()
            + "; kvmop tries again every 10 s, nothing else of the machine was changed. Check"
            + " that Secret "
            + at.spec().secretRef.name
            + " holds the key of client."
            + at.spec().userOrDefault()
            + " (ceph auth get-key client."
            + at.spec().userOrDefault()
            + "), that this node reaches the monitors, and that the client has 'profile rbd"
            + " pool="
            + at.spec().pool
            + "'");
  }
}
