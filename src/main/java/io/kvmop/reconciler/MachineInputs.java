package io.kvmop.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.NodeNetworkStatus;
import io.kvmop.status.Conditions;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which changes of a KvmNetwork or KvmHost wake the machines that use it: only those a machine pass
 * reads. A network's lease count, other nodes' entries or its observed generation, and a host's
 * published allocation or facts, change all the time and would otherwise reconcile every machine on
 * the network or node at each write.
 */
final class MachineInputs {
  private MachineInputs() {}

  /**
   * A machine reads of its network: the spec (generation), deletion, this node's Ready condition,
   * and a spanning network's addresses.
   */
  static boolean networkMatters(KvmNetwork now, KvmNetwork before, String node) {
    return !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
        || !Objects.equals(
            now.getMetadata().getDeletionTimestamp(), before.getMetadata().getDeletionTimestamp())
        || !sameReady(ready(now, node), ready(before, node))
        || !Objects.equals(addresses(now), addresses(before));
  }

  /** A machine reads of its node's KvmHost only the spec (the admin's policy). */
  static boolean hostMatters(KvmHost now, KvmHost before) {
    return !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
        || !Objects.equals(
            now.getMetadata().getDeletionTimestamp(), before.getMetadata().getDeletionTimestamp());
  }

  private static Optional<Condition> ready(KvmNetwork n, String node) {
    if (n.getStatus() == null || n.getStatus().nodes == null) {
      return Optional.empty();
    }
    return n.getStatus().nodes.stream()
        .filter(e -> node.equals(e.node))
        .findFirst()
        .flatMap((NodeNetworkStatus e) -> Conditions.find(e.conditions, Conditions.READY));
  }

  private static boolean sameReady(Optional<Condition> a, Optional<Condition> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return a.isEmpty() == b.isEmpty();
    }
    return Objects.equals(a.get().getStatus(), b.get().getStatus())
        && Objects.equals(a.get().getReason(), b.get().getReason())
        && Objects.equals(a.get().getMessage(), b.get().getMessage());
  }

  private static List<?> addresses(KvmNetwork n) {
    return n.getStatus() == null ? null : n.getStatus().addresses;
  }
}
