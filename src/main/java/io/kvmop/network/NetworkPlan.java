package io.kvmop.network;

import io.kvmop.status.Blocker;
import java.util.List;

/**
 * What to do on this node, and what stands in the way. {@code restartPending} describes a change
 * that only takes effect when the running network restarts, held back because guests are attached;
 * {@code applied} says how the plan changes the running network, if it does.
 */
public record NetworkPlan(
    List<NetworkAction> actions, Blocker blocker, String restartPending, AppliedChange applied) {

  static NetworkPlan blocked(Blocker blocker) {
    return new NetworkPlan(List.of(), blocker, null, null);
  }
}
