package io.kvmop.machine;

import io.kvmop.api.KvmMachineStatus;
import io.kvmop.status.Reasons;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How soon to look at a machine again when what it waits for raises no event: an address (polled
 * while a running machine has none), an unmanaged network, libvirt errors, room on its node.
 */
final class RecheckPolicy {
  /**
   * How often addresses are read while a running machine has none yet (and within ipWaitTimeout).
   */
  static final Duration IP_POLL = Duration.ofMillis(500);

  /**
   * The same when every address comes from a lease on a kvmop network and the agent sees leases as
   * dnsmasq writes them: only a guard against a lost file event.
   */
  static final Duration IP_POLL_WATCHED = Duration.ofSeconds(5);

  /**
   * Past ipWaitTimeout the machine is reported without an address and addresses are read ever less
   * often: a quarter of the time already waited past the timeout, from 5 s up to 5 min (a lease on
   * a kvmop network still shows at once: its file is watched).
   */
  static final Duration IP_POLL_AFTER_TIMEOUT = Duration.ofSeconds(5);

  static final Duration IP_POLL_MAX = Duration.ofMinutes(5);

  /** How often a machine waiting for an image download refreshes its progress. */
  static final Duration DOWNLOAD_POLL = Duration.ofSeconds(1);

  /**
   * How often a machine whose Ceph pool did not answer (down, unreachable, refusing its key) or
   * whose Ceph key's Secret is missing tries again: neither Ceph nor those Secrets raise an event
   * kvmop sees.
   */
  static final Duration STORAGE_RECHECK = Duration.ofSeconds(10);

  /** How often a machine the node had no room to start asks again. */
  static final Duration CAPACITY_RECHECK = Duration.ofSeconds(10);

  private RecheckPolicy() {}

  static Duration afterTimeout(Duration past) {
    Duration quarter = past.dividedBy(4);
    return quarter.compareTo(IP_POLL_AFTER_TIMEOUT) < 0
        ? IP_POLL_AFTER_TIMEOUT
        : quarter.compareTo(IP_POLL_MAX) > 0 ? IP_POLL_MAX : quarter;
  }

  static Duration recheck(
      MachinePlan plan,
      MachineOutcome o,
      KvmMachineStatus status,
      Duration ipWait,
      Instant now,
      List<NetworkBinding> bindings,
      boolean leasesSeen,
      boolean downloading) {
    List<Duration> waits = new ArrayList<>();
    if (downloading) {
      waits.add(DOWNLOAD_POLL);
    }
    if (plan.recheckAfter() != null) {
      waits.add(plan.recheckAfter());
    }
    if (o.running() && !o.hasAllAddresses()) {
      Duration waited = Duration.between(MachineStatusBuilder.runningSince(status, now), now);
      boolean watched = leasesSeen && bindings.stream().allMatch(NetworkBinding::managed);
      waits.add(
          waited.compareTo(ipWait) >= 0
              ? afterTimeout(waited.minus(ipWait))
              : watched ? IP_POLL_WATCHED : IP_POLL);
    }
    if (o.guest().waitingFor() != null && bindings.stream().anyMatch(b -> !b.managed())) {
      waits.add(Duration.ofSeconds(5)); // unmanaged libvirt networks raise no event kvmop sees
    }
    if (o.blocker() != null && Reasons.LIBVIRT_ERROR.equals(o.blocker().reason())) {
      waits.add(Duration.ofSeconds(10));
    }
    if (o.blocker() != null
        && (Reasons.STORAGE_UNAVAILABLE.equals(o.blocker().reason())
            || Reasons.STORAGE_FULL.equals(o.blocker().reason())
            || Reasons.CEPH_KEY_NOT_FOUND.equals(o.blocker().reason()))) {
      waits.add(STORAGE_RECHECK);
    }
    if (o.blocker() != null && Reasons.INSUFFICIENT_CAPACITY.equals(o.blocker().reason())) {
      waits.add(CAPACITY_RECHECK); // room is made elsewhere (another machine stops or goes)
    }
    return waits.stream().min(Duration::compareTo).orElse(null);
  }
}
