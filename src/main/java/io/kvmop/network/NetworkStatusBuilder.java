package io.kvmop.network;

import io.fabric8.kubernetes.api.model.Condition;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkStatus;
import io.kvmop.api.NetworkPhase;
import io.kvmop.api.NodeNetworkStatus;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.status.Blocker;
import io.kvmop.status.ConditionTypes;
import io.kvmop.status.Conditions;
import io.kvmop.status.Progress;
import io.kvmop.status.Reasons;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Turns what this node observed after acting into its entry in status.nodes, and folds all node
 * entries into the top-level phase and conditions. Entries of other nodes are kept as they are.
 */
public final class NetworkStatusBuilder {
  public static final String RESTART_REQUIRED = ConditionTypes.RESTART_REQUIRED;
  public static final String IN_USE = ConditionTypes.IN_USE;
  private static final java.util.Set<String> APPLIED =
      java.util.Set.of(AppliedChange.RESTARTED, AppliedChange.UPDATED_LIVE);

  private NetworkStatusBuilder() {}

  /** What this node found, after executing the plan. */
  public record NodeOutcome(
      Optional<NetworkState> state,
      boolean wantAutostart,
      Blocker blocker,
      String restartPending,
      AppliedChange applied,
      Integer leases) {}

  public static NodeNetworkStatus nodeEntry(
      KvmNetwork network, String node, NodeOutcome o, NodeNetworkStatus previous, Instant now) {
    long gen =
        network.getMetadata().getGeneration() == null ? 0 : network.getMetadata().getGeneration();
    NodeNetworkStatus e = new NodeNetworkStatus();
    e.node = node;
    e.observedGeneration = gen;
    NetworkState s = o.state().orElse(null);
    // a network of our name that is not ours is reported in the condition, never as ours
    boolean nameConflict =
        o.blocker() != null && Reasons.NAME_CONFLICT.equals(o.blocker().reason());
    boolean ours = s != null && !nameConflict;
    e.active = ours && s.active();
    e.autostart = ours && s.autostart();
    e.uuid = ours ? s.uuid() : null;
    e.leases = ours && s.active() ? o.leases() : null;
    Conditions c = new Conditions(previous == null ? null : previous.conditions, gen, now);
    if (o.blocker() != null) {
      c.set(Conditions.READY, false, o.blocker().reason(), o.blocker().message());
    } else if (s == null || !s.active()) {
      c.set(
          Conditions.READY,
          false,
          Reasons.INACTIVE,
          "network " + (s == null ? "is not defined" : s.name() + " is not running"));
    } else if (s.autostart() != o.wantAutostart()) {
      c.set(
          Conditions.READY,
          false,
          Reasons.AUTOSTART_MISMATCH,
          "autostart of " + s.name() + " is " + s.autostart() + ", declared " + o.wantAutostart());
    } else if (o.applied() != null) {
      c.set(Conditions.READY, true, o.applied().reason(), o.applied().message());
    } else if (appliedEarlierThisGeneration(previous, gen)) {
      // how this generation reached the running network is still the news: keep saying so
      Condition r = Conditions.find(previous.conditions, Conditions.READY).orElseThrow();
      c.set(Conditions.READY, true, r.getReason(), r.getMessage());
    } else {
      c.set(
          Conditions.READY,
          true,
          Reasons.ACTIVE,
          "network "
              + s.name()
              + " is active"
              + (s.autostart() ? " with autostart on" : "")
              + (s.bridgeName() == null ? "" : ", bridge " + s.bridgeName()));
    }
    c.set(
        RESTART_REQUIRED,
        o.restartPending() != null,
        o.restartPending() != null ? Reasons.GUESTS_ATTACHED : Reasons.UP_TO_DATE,
        o.restartPending() != null
            ? o.restartPending()
            : "the running network matches the declared one");
    e.conditions = c.build();
    return e;
  }

  private static boolean appliedEarlierThisGeneration(NodeNetworkStatus previous, long gen) {
    return previous != null
        && previous.observedGeneration != null
        && previous.observedGeneration == gen
        && Conditions.find(previous.conditions, Conditions.READY)
            .filter(r -> Conditions.TRUE.equals(r.getStatus()) && APPLIED.contains(r.getReason()))
            .isPresent();
  }

  /**
   * The whole status: this node's entry replaced (or removed when {@code entry} is null), the
   * top-level fields recomputed from all entries.
   */
  public static KvmNetworkStatus merge(
      KvmNetwork network,
      NetworkNaming naming,
      String node,
      NodeNetworkStatus entry,
      Optional<Blocker> clusterBlocker,
      Instant now) {
    KvmNetworkStatus old = network.getStatus();
    KvmNetworkStatus s = new KvmNetworkStatus();
    long gen =
        network.getMetadata().getGeneration() == null ? 0 : network.getMetadata().getGeneration();
    s.observedGeneration = gen;
    s.libvirtName = naming.libvirtName();
    s.bridge =
        network.getSpec() != null && network.getSpec().bridge != null
            ? network.getSpec().bridge.name
            : naming.bridge();
    List<NodeNetworkStatus> nodes = nodesWith(old, node, entry);
    s.nodes = nodes;
    Conditions c = new Conditions(old == null ? null : old.conditions, gen, now);
    List<NodeNetworkStatus> notReady =
        nodes.stream()
            .filter(n -> !Conditions.isTrue(n.conditions, Conditions.READY) || stale(n, gen))
            .toList();
    boolean terminating = network.getMetadata().getDeletionTimestamp() != null;
    ready(c, nodes, notReady, terminating, clusterBlocker, gen);
    Progress.fromReady(c);
    restartAndUse(c, nodes, terminating, clusterBlocker);
    s.conditions = c.build();
    s.phase = phase(terminating, nodes, notReady, clusterBlocker);
    return s;
  }

  /** Every node's entry: the others' as they are, this node's replaced (or gone when null). */
  private static List<NodeNetworkStatus> nodesWith(
      KvmNetworkStatus old, String node, NodeNetworkStatus entry) {
    List<NodeNetworkStatus> nodes = new ArrayList<>();
    if (old != null && old.nodes != null) {
      old.nodes.stream().filter(n -> !node.equals(n.node)).forEach(nodes::add);
    }
    if (entry != null) {
      nodes.add(entry);
    }
    nodes.sort(Comparator.comparing(n -> n.node));
    return nodes;
  }

  /** A node that has not yet reported on the current generation: its Ready is about an older. */
  private static boolean stale(NodeNetworkStatus n, long gen) {
    return n.observedGeneration == null || n.observedGeneration < gen;
  }

  /**
   * Ready across nodes: every node ready for the current generation, else the first that is not
   * (and how many more).
   */
  private static void ready(
      Conditions c,
      List<NodeNetworkStatus> nodes,
      List<NodeNetworkStatus> notReady,
      boolean terminating,
      Optional<Blocker> clusterBlocker,
      long gen) {
    if (clusterBlocker.isPresent()) {
      c.set(Conditions.READY, false, clusterBlocker.get().reason(), clusterBlocker.get().message());
    } else if (terminating) {
      c.set(
          Conditions.READY,
          false,
          Reasons.TERMINATING,
          "the network is being removed from its nodes");
    } else if (nodes.isEmpty()) {
      c.set(
          Conditions.READY,
          false,
          Reasons.NO_NODES,
          "no node has realised the network yet; check spec.nodeSelector and that the kvmop agent runs on the nodes");
    } else if (notReady.isEmpty()) {
      Optional<Condition> restarted =
          nodes.stream()
              .map(n -> Conditions.find(n.conditions, Conditions.READY).orElseThrow())
              .filter(r -> APPLIED.contains(r.getReason()))
              .findFirst();
      c.set(
          Conditions.READY,
          true,
          restarted.map(Condition::getReason).orElse(Reasons.ACTIVE),
          "active on "
              + nodes.size()
              + " node(s)"
              + restarted.map(r -> "; " + r.getMessage()).orElse(""));
    } else {
      NodeNetworkStatus first = notReady.get(0);
      Condition r = Conditions.find(first.conditions, Conditions.READY).orElse(null);
      boolean behind = r != null && Conditions.TRUE.equals(r.getStatus()) && stale(first, gen);
      c.set(
          Conditions.READY,
          false,
          r == null || behind ? Reasons.PENDING : r.getReason(),
          "node "
              + first.node
              + ": "
              + (r == null
                  ? "not reconciled yet"
                  : behind
                      ? "has not applied generation " + gen + " yet (its agent may be down)"
                      : r.getMessage())
              + (notReady.size() > 1 ? " (and " + (notReady.size() - 1) + " more node(s))" : ""));
    }
  }

  /** RestartRequired from any node; InUse while deletion waits for machines. */
  private static void restartAndUse(
      Conditions c,
      List<NodeNetworkStatus> nodes,
      boolean terminating,
      Optional<Blocker> clusterBlocker) {
    Optional<NodeNetworkStatus> restart =
        nodes.stream().filter(n -> Conditions.isTrue(n.conditions, RESTART_REQUIRED)).findFirst();
    c.set(
        RESTART_REQUIRED,
        restart.isPresent(),
        restart.isPresent() ? Reasons.GUESTS_ATTACHED : Reasons.UP_TO_DATE,
        restart
            .map(
                n ->
                    "node "
                        + n.node
                        + ": "
                        + Conditions.find(n.conditions, RESTART_REQUIRED).get().getMessage())
            .orElse("every node runs the declared network"));
    if (clusterBlocker.filter(b -> Reasons.IN_USE.equals(b.reason())).isPresent()) {
      c.set(IN_USE, true, Reasons.MACHINES_ATTACHED, clusterBlocker.get().message());
    } else if (terminating) {
      c.set(IN_USE, false, Reasons.UNUSED, "no KvmMachine uses the network");
    }
  }

  private static NetworkPhase phase(
      boolean terminating,
      List<NodeNetworkStatus> nodes,
      List<NodeNetworkStatus> notReady,
      Optional<Blocker> clusterBlocker) {
    if (terminating) {
      return NetworkPhase.Terminating;
    }
    if (clusterBlocker.isPresent()) {
      return NetworkPhase.Failed;
    }
    if (nodes.isEmpty()) {
      return NetworkPhase.Pending;
    }
    if (notReady.isEmpty()) {
      return NetworkPhase.Ready;
    }
    boolean anyReady = notReady.size() < nodes.size();
    if (anyReady) {
      return NetworkPhase.Degraded;
    }
    boolean allHardFailures =
        notReady.stream()
            .map(
                n ->
                    Conditions.find(n.conditions, Conditions.READY)
                        .map(Condition::getReason)
                        .orElse(""))
            .allMatch(
                r ->
                    r.equals(Reasons.INVALID_SPEC)
                        || r.equals(Reasons.UNREADABLE)
                        || r.equals(Reasons.NAME_CONFLICT)
                        || r.equals(Reasons.ADDRESS_CONFLICT));
    return allHardFailures ? NetworkPhase.Failed : NetworkPhase.Pending;
  }
}
