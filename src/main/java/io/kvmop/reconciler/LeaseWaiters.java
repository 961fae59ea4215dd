package io.kvmop.reconciler;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which machines wait for a DHCP lease on which bridge, so that a lease written to one network's
 * dnsmasq status file ({@code <bridge>.status}) wakes only the machines on that network, and a
 * lease written while a machine's pass was still running is not missed.
 */
final class LeaseWaiters {
  /** Waits on any bridge: an interface on a libvirt network kvmop does not name. */
  static final String ANY = "*";

  private final Map<ResourceID, Set<String>> waiting = new ConcurrentHashMap<>();
  private final Map<String, Long> changedAt = new ConcurrentHashMap<>();
  private volatile long anyChangedAt = Long.MIN_VALUE;

  /**
   * The machine now waits for a lease on these bridges (none: it does not wait). True when one of
   * them changed since {@code passStarted} (System.nanoTime()): the pass may have read the leases
   * before that lease was written, so the machine should look again now.
   */
  boolean waitFor(ResourceID id, Set<String> bridges, long passStarted) {
    if (bridges.isEmpty()) {
      waiting.remove(id);
      return false;
    }
    waiting.put(id, Set.copyOf(bridges));
    if (bridges.contains(ANY)) {
      return anyChangedAt - passStarted > 0;
    }
    for (String b : bridges) {
      Long t = changedAt.get(b);
      if (t != null && t - passStarted > 0) {
        return true;
      }
    }
    return false;
  }

  void remove(ResourceID id) {
    waiting.remove(id);
  }

  /**
   * A file in the dnsmasq directory changed: the machines to wake (those waiting on its bridge, and
   * those waiting on any), or none when it is not a lease status file.
   */
  Set<ResourceID> changed(String fileName, long now) {
    if (!fileName.endsWith(".status")) {
      return Set.of();
    }
    String bridge = fileName.substring(0, fileName.length() - ".status".length());
    changedAt.put(bridge, now);
    anyChangedAt = now;
    Set<ResourceID> wake = new HashSet<>();
    waiting.forEach(
        (id, bridges) -> {
          if (bridges.contains(bridge) || bridges.contains(ANY)) {
            wake.add(id);
          }
        });
    return wake;
  }

  /** Every machine waiting for a lease (the watch lost events: all of them look). */
  Set<ResourceID> everyone() {
    return Set.copyOf(waiting.keySet());
  }
}
