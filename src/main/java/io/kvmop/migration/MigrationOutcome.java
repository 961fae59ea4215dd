package io.kvmop.migration;

import io.kvmop.api.KvmMachineMigrationStatus;
import io.kvmop.status.Happened;
import java.time.Duration;
import java.util.List;

/**
 * What one node's look at a migration decided: its next status, what must happen to the machine
 * resource first, whether the copy starts once that status is written, when to look again, and what
 * was done (for events).
 *
 * @param status null when this node has nothing to write
 */
public record MigrationOutcome(
    KvmMachineMigrationStatus status,
    MachineChange change,
    boolean startCopy,
    Duration recheckAfter,
    List<Happened> happened) {

  /** What the machine resource needs before the migration's new status is written. */
  public enum MachineChange {
    NONE,
    /** The target node's finalizer, so that it cleans up a machine deleted once it is there. */
    ADD_TARGET_FINALIZER,
    /** The target node's finalizer goes: the machine stays where it was. */
    DROP_TARGET_FINALIZER,
    /** status.nodeName, the node label and the source's finalizer move to the target. */
    HAND_OVER
  }

  static MigrationOutcome write(KvmMachineMigrationStatus s, Duration recheck) {
    return new MigrationOutcome(s, MachineChange.NONE, false, recheck, List.of());
  }

  public static MigrationOutcome nothing(Duration recheck) {
    return new MigrationOutcome(null, MachineChange.NONE, false, recheck, List.of());
  }
}
