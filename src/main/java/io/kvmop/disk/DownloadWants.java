package io.kvmop.disk;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Which downloads each machine (by uid) wants now, and which of them nobody wants any more. */
final class DownloadWants {
  private final Map<String, Set<String>> wantedBy = new HashMap<>();

  /**
   * Machine {@code uid} now wants exactly {@code now} (empty: nothing, as when it is refused or
   * removed). Answers what it wanted before that no machine wants now.
   */
  synchronized Set<String> settle(String uid, Set<String> now) {
    Set<String> before = now.isEmpty() ? wantedBy.remove(uid) : wantedBy.put(uid, Set.copyOf(now));
    Set<String> unwanted = new HashSet<>();
    if (before != null) {
      for (String k : before) {
        if (!now.contains(k) && wantedBy.values().stream().noneMatch(w -> w.contains(k))) {
          unwanted.add(k);
        }
      }
    }
    return unwanted;
  }
}
