package io.kvmop.machine;

import io.kvmop.api.MachineRequestStatus;
import io.kvmop.status.Blocker;
import java.time.Duration;
import java.util.List;

/**
 * What to do with the domain now. {@code restartRequired} names what differs between the running
 * domain and the declared one (applied at the next boot); {@code shutdownRequested} says a graceful
 * shutdown is asked for now; {@code recheckAfter} is how soon to look again when the plan waits on
 * something libvirt raises no event for (a shutdown timeout); {@code answer} is the answer to the
 * machine's power request, for status (null: none).
 */
public record MachinePlan(
    List<MachineAction> actions,
    Blocker blocker,
    String restartRequired,
    boolean shutdownRequested,
    Duration recheckAfter,
    MachineRequestStatus answer) {

  /** A plan with no power request to answer. */
  public MachinePlan(
      List<MachineAction> actions,
      Blocker blocker,
      String restartRequired,
      boolean shutdownRequested,
      Duration recheckAfter) {
    this(actions, blocker, restartRequired, shutdownRequested, recheckAfter, null);
  }

  /** The same plan with what is still pending a restart (after a live change made some live). */
  MachinePlan withRestartRequired(String restart) {
    return new MachinePlan(actions, blocker, restart, shutdownRequested, recheckAfter, answer);
  }

  static MachinePlan blocked(Blocker b) {
    return new MachinePlan(List.of(), b, null, false, null);
  }
}
