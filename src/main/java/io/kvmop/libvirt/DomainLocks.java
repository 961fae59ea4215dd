package io.kvmop.libvirt;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One lock per domain on a node: a machine's pass, a snapshot being taken or deleted, a restore and
 * a clone's copy of a snapshot never act on the same domain at once (a restore stops and starts the
 * domain; a pass in between would start it too early).
 */
public final class DomainLocks {
  private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

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

  /** Forgets the lock of a domain that is gone (one more is made if it comes back). */
  public void forget(String domain) {
    locks.computeIfPresent(domain, (d, l) -> l.isLocked() || l.hasQueuedThreads() ? l : null);
  }
}
