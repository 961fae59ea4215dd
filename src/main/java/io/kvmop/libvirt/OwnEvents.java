package io.kvmop.libvirt;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The lifecycle events kvmop's own calls are about to cause (a domain defined, a domain started),
 * so that the event, when it comes, is known as an echo: the pass that made the call has already
 * looked at the domain after it. An expectation whose event never came lapses after {@link
 * #LAPSE_NANOS}, so it cannot hide a later change for long.
 */
final class OwnEvents {
  static final long LAPSE_NANOS = 30_000_000_000L;

  private final Map<String, Deque<Long>> expected = new HashMap<>();

  /** A call about to cause {@code kind} on {@code domain}. */
  synchronized void expect(String domain, String kind, long now) {
    expected.computeIfAbsent(domain + "\n" + kind, k -> new ArrayDeque<>()).addLast(now);
  }

  /** The call failed: it causes nothing. */
  synchronized void cancel(String domain, String kind) {
    Deque<Long> q = expected.get(domain + "\n" + kind);
    if (q != null) {
      q.pollLast();
      if (q.isEmpty()) {
        expected.remove(domain + "\n" + kind);
      }
    }
  }

  /** True when the event is the echo of an expected one (which it then uses up). */
  synchronized boolean echo(String domain, String kind, long now) {
    String key = domain + "\n" + kind;
    Deque<Long> q = expected.get(key);
    while (q != null && !q.isEmpty() && now - q.peekFirst() > LAPSE_NANOS) {
      q.pollFirst();
    }
    boolean echo = q != null && q.pollFirst() != null;
    if (q != null && q.isEmpty()) {
      expected.remove(key);
    }
    return echo;
  }
}
