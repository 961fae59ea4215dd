package io.kvmop.libvirt;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One lock per domain on a node: a machine's pass, a snapshot being taken or deleted and a restore
 * never act on the same domain at once (a restore stops and starts the domain; a pass in between
 * would start it too early). A second key per domain, {@link #snapshotsOf}, keeps its snapshots
 * from being deleted while a clone copies one (without holding up the machine's passes). And the
 * domains that are leaving this node (a live migration), which no pass may touch.
 */
public final class DomainLocks {
  private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private final java.util.Set<String> leaving = ConcurrentHashMap.newKeySet();

  /**
   * Marks a domain as leaving this node, once no one holds its lock: from then on a machine's pass
   * must not touch it (a pass that found it gone would define and start it again here).
   */
  public void leave(String domain) {
    with(
        domain,
        () -> {
          leaving.add(domain);
          return null;
        });
  }

  /**
   * Marks a domain as leaving at once, without waiting for a pass that holds its lock: for
   * self-fencing, which cannot wait.
   */
  public void fence(String domain) {
    leaving.add(domain);
  }

  /** The domain stays here after all (its migration failed), or came back. */
  public void stay(String domain) {
    leaving.remove(domain);
  }

  /** Whether the domain is leaving or has left this node; asked under its lock. */
  public boolean leaving(String domain) {
    return leaving.contains(domain);
  }

  public <T> T with(String domain, Supplier<T> work) {
    ReentrantLock lock;
    while (true) {
      lock = locks.computeIfAbsent(domain, d -> new ReentrantLock());
      lock.lock();
      // still the domain's lock, not forgotten between the look-up and the lock: asked under the
      // map's lock of that key, so never while a forget of it is half done
      if (locks.computeIfPresent(domain, (d, l) -> l) == lock) {
        break;
      }
      lock.unlock();
    }
    try {
      return work.get();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Like {@link #with}, but gives up after {@code wait} (empty then): for work that must not wait
   * behind a long holder, or could otherwise wait in a circle.
   */
  public <T> java.util.Optional<T> tryWith(String key, java.time.Duration wait, Supplier<T> work)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    ReentrantLock lock;
    while (true) {
      lock = locks.computeIfAbsent(key, d -> new ReentrantLock());
      if (!lock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        return java.util.Optional.empty();
      }
      if (locks.computeIfPresent(key, (d, l) -> l) == lock) {
        break;
      }
      lock.unlock();
    }
    try {
      return java.util.Optional.ofNullable(work.get());
    } finally {
      lock.unlock();
    }
  }

  /** The key of a domain's snapshots: taken, deleted and copied from one at a time. */
  public static String snapshotsOf(String domain) {
    return "snapshots/" + domain;
  }

  /** Forgets the lock of a domain that is gone (one more is made if it comes back). */
  public void forget(String domain) {
    locks.computeIfPresent(domain, (d, l) -> l.isLocked() || l.hasQueuedThreads() ? l : null);
  }
}
