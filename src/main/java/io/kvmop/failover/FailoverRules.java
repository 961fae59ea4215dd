package io.kvmop.failover;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.FailoverSpec;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.Quantities;
import java.time.Duration;
import java.util.List;

/**
 * What spec.failover may ask for, checked by the agent as the CRD's rules check it at admission (an
 * API server that checks less, or the mock, lets anything through): Restart only for a machine
 * placement may move (no spec.nodeName) whose every disk is on named shared storage or disposable
 * (made anew on the next node). Pure.
 */
public final class FailoverRules {
  /** The least {@code after}: a cut-off agent fences itself within 12 s of its last renewal. */
  public static final Duration MIN_AFTER = Duration.ofSeconds(10);

  public static final Duration DEFAULT_AFTER = Duration.ofSeconds(60);

  private FailoverRules() {}

  /** The problems of spec.failover, each naming its field and what would be valid. */
  public static void check(KvmMachineSpec spec, List<String> problems) {
    FailoverSpec f = spec.failover;
    if (f == null) {
      return;
    }
    if (f.policy != null && !f.policy.equals("None") && !f.policy.equals("Restart")) {
      problems.add("spec.failover.policy '" + f.policy + "' is not None or Restart");
      return;
    }
    if (f.after != null) {
      var after = Quantities.duration(f.after);
      if (after.isEmpty()) {
        problems.add(
            "spec.failover.after '" + f.after + "' is not a duration such as 60s, 2m or 1m30s");
      } else if (after.get().compareTo(MIN_AFTER) < 0) {
        problems.add(
            "spec.failover.after "
                + f.after
                + " is too short: at least 10s, so that a node cut off from the cluster has"
                + " stopped the machine before another starts it");
      }
    }
    if (!f.restart()) {
      return;
    }
    if (spec.nodeName != null) {
      problems.add(
          "spec.failover.policy Restart moves the machine to another node: leave spec.nodeName"
              + " ("
              + spec.nodeName
              + ") out; spec.nodeSelector picks the nodes it may run on");
    }
    List<DiskSpec> disks = spec.disks == null ? List.of() : spec.disks;
    for (int i = 0; i < disks.size(); i++) {
      DiskSpec d = disks.get(i);
      if ((d.storage == null || d.storage.isEmpty()) && !d.disposable()) {
        problems.add(
            "spec.disks["
                + i
                + "] ("
                + d.name
                + ").storage: spec.failover.policy Restart needs every disk on shared storage,"
                + " which a local disk is not (it dies with its node); name an rbd"
                + " KvmStoragePool, or set disposable: true if it may be made anew there");
      }
    }
  }

  /** The machine's wait past its node's Lease expiry; the default when unset or unreadable. */
  public static Duration after(KvmMachineSpec spec) {
    if (spec == null || spec.failover == null || spec.failover.after == null) {
      return DEFAULT_AFTER;
    }
    return Quantities.duration(spec.failover.after)
        .filter(d -> d.compareTo(MIN_AFTER) >= 0)
        .orElse(DEFAULT_AFTER);
  }

  public static boolean restarts(KvmMachineSpec spec) {
    return spec != null && spec.failover != null && spec.failover.restart();
  }
}
