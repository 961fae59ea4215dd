package io.kvmop.machine;

import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.MachineInterface;
import io.kvmop.api.NodeNetworkStatus;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.network.Span;
import io.kvmop.status.Blocker;
import io.kvmop.status.Conditions;
import io.kvmop.status.Reasons;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Resolves each machine interface to the libvirt network it attaches to on this node. */
public final class NetworkBindings {
  private NetworkBindings() {}

  /**
   * @param networks the KvmNetworks the machine names, by name (from the informer cache)
   */
  public static List<NetworkBinding> resolve(
      KvmMachine m, Map<String, KvmNetwork> networks, String node) {
    List<NetworkBinding> result = new ArrayList<>();
    String ns = m.getMetadata().getNamespace();
    for (MachineInterface i : m.getSpec().interfaces) {
      if (i.network == null) {
        result.add(NetworkBinding.ready(i.name, i.libvirtNetwork, i.libvirtNetwork, false));
        continue;
      }
      KvmNetwork n = networks.get(i.network);
      if (n == null) {
        result.add(
            NetworkBinding.notReady(
                i.name,
                i.network,
                new Blocker(
                    Reasons.NETWORK_NOT_FOUND,
                    "spec.interfaces "
                        + i.name
                        + ": KvmNetwork "
                        + ns
                        + "/"
                        + i.network
                        + " does not exist; create it or fix the name")));
        continue;
      }
      result.add(binding(m, i, n, ns, node));
    }
    return result;
  }

  /** A KvmNetwork that exists: ready on this node, or why not. */
  private static NetworkBinding binding(
      KvmMachine m, MachineInterface i, KvmNetwork n, String ns, String node) {
    Optional<NodeNetworkStatus> here =
        n.getStatus() == null || n.getStatus().nodes == null
            ? Optional.empty()
            : n.getStatus().nodes.stream().filter(e -> node.equals(e.node)).findFirst();
    boolean ready =
        n.getMetadata().getDeletionTimestamp() == null
            && here.map(e -> Conditions.isTrue(e.conditions, Conditions.READY)).orElse(false);
    if (ready && n.getSpec() != null && n.getSpec().spans()) {
      String mac =
          MachineDesign.mac(
              i, MachineNaming.of(ns, m.getMetadata().getName(), m.getMetadata().getUid(), "/"));
      if (Span.addressOf(n, mac).isEmpty()) {
        return NetworkBinding.notReady(
            i.name,
            i.network,
            new Blocker(
                Reasons.NETWORK_NOT_READY,
                "interface "
                    + i.name
                    + ": waiting for its address on spanning KvmNetwork "
                    + ns
                    + "/"
                    + i.network
                    + " (status.addresses; the nodes' agents give one out)"));
      }
    }
    if (ready) {
      return NetworkBinding.ready(i.name, i.network, NetworkRealizer.naming(n).libvirtName(), true);
    }
    String why =
        here.flatMap(e -> Conditions.find(e.conditions, Conditions.READY))
            .map(c -> c.getReason() + ": " + c.getMessage())
            .orElse(
                n.getMetadata().getDeletionTimestamp() != null
                    ? "it is being deleted"
                    : "not realised yet");
    return NetworkBinding.notReady(
        i.name,
        i.network,
        new Blocker(
            Reasons.NETWORK_NOT_READY,
            "interface "
                + i.name
                + ": KvmNetwork "
                + ns
                + "/"
                + i.network
                + " is not ready on node "
                + node
                + " ("
                + why
                + ")"));
  }
}
