package io.kvmop.reconciler;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The events waiting to be sent, in order, at most {@code capacity} of them. When it is full a
 * Warning still gets in, in place of the oldest Normal one: in a burst of thousands of machines the
 * routine news (Defined, Started) is what gives way, never what needs a person.
 */
final class EventBacklog {
  /** One event to send. */
  record Pending(boolean warning, Runnable send) {}

  private final int capacity;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final AtomicLong dropped = new AtomicLong();

  EventBacklog(int capacity) {
    this.capacity = capacity;
  }

  /** Queues the event; false when something was dropped for it (itself, or an older Normal). */
  synchronized boolean offer(Pending p) {
    boolean displaced = false;
    if (queue.size() >= capacity) {
      if (!p.warning() || !dropOldestNormal()) {
        dropped.incrementAndGet();
        return false;
      }
      displaced = true;
    }
    queue.addLast(p);
    notifyAll();
    return !displaced;
  }

  private boolean dropOldestNormal() {
    for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
      if (!it.next().warning()) {
        it.remove();
        dropped.incrementAndGet();
        return true;
      }
    }
    return false;
  }

  /** The next event to send, waiting for one. */
  synchronized Pending take() throws InterruptedException {
    while (queue.isEmpty()) {
      wait();
    }
    return queue.removeFirst();
  }

  synchronized int size() {
    return queue.size();
  }

  /** Events dropped so far (new ones that found it full, and Normal ones a Warning displaced). */
  long dropped() {
    return dropped.get();
  }
}
