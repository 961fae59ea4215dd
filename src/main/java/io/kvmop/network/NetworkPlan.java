package io.kvmop.network;

import java.util.List;

/**
 * What to do on this node, and what stands in the way. {@code restartPending} describes a change
 * that only takes effect when the running network restarts, held back because guests are attached;
 * {@code restarting} says the plan restarts the network to apply a change.
 */
public record NetworkPlan(
    List<NetworkAction> actions, Blocker blocker, String restartPending, String restarting) {

  static NetworkPlan blocked(Blocker blocker) {
    return new NetworkPlan(List.of(), blocker, null, null);
  }
}
