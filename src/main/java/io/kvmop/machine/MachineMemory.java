package io.kvmop.machine;

import io.kvmop.api.MachineRequestStatus;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this node remembers of each machine between passes, in one place: the status a pass starts
 * from can lag behind the agent's own last write, so when a graceful shutdown was asked for, the
 * last answer to a power request and the hand edit repaired in a generation are kept here, by uid,
 * and forgotten with the machine.
 */
final class MachineMemory {
  private final Map<String, Instant> shutdownAsked = new ConcurrentHashMap<>();
  private final Map<String, MachineRequestStatus> answers = new ConcurrentHashMap<>();
  private final Map<String, Map.Entry<Long, String>> repaired = new ConcurrentHashMap<>();

  /** When a graceful shutdown of the machine's domain was asked for; null when none is pending. */
  Instant shutdownAskedAt(String uid) {
    return shutdownAsked.get(uid);
  }

  void shutdownAsked(String uid, Instant at) {
    shutdownAsked.put(uid, at);
  }

  /** The domain is down: no shutdown is pending any more. */
  void shutdownOver(String uid) {
    shutdownAsked.remove(uid);
  }

  /** The last answer given to the machine's power request, or null. */
  MachineRequestStatus lastAnswer(String uid) {
    return answers.get(uid);
  }

  void answered(String uid, MachineRequestStatus answer) {
    if (answer != null) {
      answers.put(uid, answer);
    }
  }

  /** The hand edit repaired in this generation of the machine, or null. */
  String repairedIn(String uid, long generation) {
    Map.Entry<Long, String> r = repaired.get(uid);
    return r != null && r.getKey() == generation ? r.getValue() : null;
  }

  void repaired(String uid, long generation, String what) {
    repaired.put(uid, Map.entry(generation, what));
  }

  /** The machine left this node. */
  void forget(String uid) {
    shutdownAsked.remove(uid);
    answers.remove(uid);
    repaired.remove(uid);
  }
}
