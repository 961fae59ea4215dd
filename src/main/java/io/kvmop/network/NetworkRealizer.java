package io.kvmop.network;

import io.kvmop.api.KvmNetwork;
import io.kvmop.api.NodeNetworkStatus;
import io.kvmop.api.TunnelStatus;
import io.kvmop.api.Unreadable;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.libvirt.xml.NetworkXml;
import io.kvmop.network.NetworkStatusBuilder.NodeOutcome;
import io.kvmop.status.Blocker;
import io.kvmop.status.Reasons;
import io.kvmop.validation.CrdSchemas;
import io.kvmop.validation.ResourceNames;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One KvmNetwork on this node: validate, observe, plan, apply, observe again, report. Knows nothing
 * of Kubernetes beyond the resource itself, so the operator and tests share it.
 */
public final class NetworkRealizer {
  private final String node;
  private final LibvirtPort libvirt;
  private final HostNetworkPort host;
  private final NetworkExecutor executor;
  private final Clock clock;

  /**
   * How each resource's current generation reached its running network (restart or live update),
   * kept here rather than read back from status: the cached status a later pass sees may not yet
   * hold the write that reported it.
   */
  private final java.util.Map<String, java.util.Map.Entry<Long, AppliedChange>> applied =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** This node's address for spanning networks' tunnels (KVMOP_OVERLAY_ADDRESS), or null. */
  private volatile String overlayAddress;

  /** Spanning networks' tunnels run from this address of the node (null: none here). */
  public NetworkRealizer overlayAddress(String address) {
    this.overlayAddress = address == null || address.isBlank() ? null : address.strip();
    return this;
  }

  public NetworkRealizer(String node, LibvirtPort libvirt, HostNetworkPort host, Clock clock) {
    this.node = node;
    this.libvirt = libvirt;
    this.host = host;
    this.executor = new NetworkExecutor(libvirt, host);
    this.clock = clock;
  }

  public static NetworkNaming naming(KvmNetwork n) {
    var m = n.getMetadata();
    return NetworkNaming.of(m.getNamespace(), m.getName(), m.getUid());
  }

  /**
   * Realises the network here and returns this node's status entry, or empty when the network is
   * not selected for this node (and was removed if it was here).
   */
  public Optional<NodeNetworkStatus> realize(
      KvmNetwork network, boolean selected, List<KvmNetwork> othersOnNode) {
    return realize(network, selected, othersOnNode, List.of());
  }

  /**
   * @param permittedBridges host bridges the node's admin lets networks of mode bridge use (its
   *     KvmHost spec.permittedBridges)
   */
  public Optional<NodeNetworkStatus> realize(
      KvmNetwork network,
      boolean selected,
      List<KvmNetwork> othersOnNode,
      List<String> permittedBridges) {
    try {
      return realizeChecked(network, selected, othersOnNode, permittedBridges);
    } catch (RuntimeException e) {
      // a bug must end in status, not only in the log, and never stop the other networks
      org.slf4j.LoggerFactory.getLogger(NetworkRealizer.class)
          .error("reconciling network {} failed", naming(network).libvirtName(), e);
      return Optional.of(
          entry(network, Optional.empty(), Blocker.internalError("network", e), null, null));
    }
  }

  private Optional<NodeNetworkStatus> realizeChecked(
      KvmNetwork network,
      boolean selected,
      List<KvmNetwork> othersOnNode,
      List<String> permittedBridges) {
    NetworkNaming naming = naming(network);
    List<String> problems = problems(network, selected, othersOnNode, permittedBridges);
    NetworkXml desired = problems.isEmpty() ? NetworkDesign.desired(network, naming) : null;
    Optional<NetworkState> current;
    List<NetworkState> others;
    try {
      current = libvirt.networks().findNetwork(naming.libvirtName());
      others =
          problems.isEmpty() && selected
              ? libvirt.networks().listNetworks().stream()
                  .filter(s -> !s.name().equals(naming.libvirtName()))
                  .toList()
              : List.of();
    } catch (LibvirtError e) {
      return Optional.of(entry(network, Optional.empty(), unreachable(e), null, null));
    }
    var spec = network.getSpec();
    NetworkPlan plan =
        NetworkPlanner.plan(
            new NetworkPlanner.Input(
                network.getMetadata().getUid(),
                naming,
                spec == null ? null : spec.modeOrDefault(),
                desired,
                spec != null && spec.autostartEnabled(),
                problems,
                selected,
                current,
                others,
                problems.isEmpty() && selected ? host.interfaces() : List.of()));
    Optional<Blocker> failure = executor.execute(plan.actions());
    if (!selected || !problems.isEmpty() || !network.getSpec().spans()) {
      dropTunnel(network);
    }
    if (!selected) {
      return Optional.empty();
    }
    Blocker blocker = failure.orElse(plan.blocker());
    Optional<NetworkState> after;
    try {
      after =
          plan.actions().isEmpty() ? current : libvirt.networks().findNetwork(naming.libvirtName());
    } catch (LibvirtError e) {
      return Optional.of(entry(network, Optional.empty(), unreachable(e), null, null));
    }
    AppliedChange change = remembered(network, failure.isEmpty() ? plan.applied() : null);
    TunnelStatus tunnel = null;
    if (problems.isEmpty() && network.getSpec().spans()) {
      Tunnel t = tunnel(network, naming);
      boolean active = after.map(NetworkState::active).orElse(false);
      boolean up = false;
      if (active && blocker == null) {
        try {
          host.ensureTunnel(t);
          up = host.tunnelUp(t);
        } catch (RuntimeException e) {
          blocker =
              new Blocker(
                  Reasons.HOST_ERROR,
                  "cannot set up the tunnel "
                      + t.device()
                      + " of spanning network "
                      + naming.libvirtName()
                      + ": "
                      + e.getMessage());
        }
      }
      tunnel = tunnelStatus(t, up);
    }
    NodeNetworkStatus e = entry(network, after, blocker, plan.restartPending(), change);
    e.tunnel = tunnel;
    return Optional.of(e);
  }

  /** The tunnel this node must have for a spanning network: to every other node running it. */
  private Tunnel tunnel(KvmNetwork network, NetworkNaming naming) {
    var spec = network.getSpec();
    return new Tunnel(
        Span.device(network),
        Span.vni(network),
        overlayAddress,
        spec.span.portOrDefault(),
        naming.bridge(),
        spec.mtu != null ? spec.mtu : Span.DEFAULT_MTU,
        Span.peers(network, node).stream().filter(p -> !p.equals(overlayAddress)).toList());
  }

  private static TunnelStatus tunnelStatus(Tunnel t, boolean up) {
    TunnelStatus s = new TunnelStatus();
    s.device = t.device();
    s.vni = t.vni();
    s.localAddress = t.local();
    s.peers = new ArrayList<>(t.peers());
    s.up = up;
    return s;
  }

  /** A tunnel this node made before (its last status says so) goes with the span. */
  private void dropTunnel(KvmNetwork network) {
    boolean had =
        network.getStatus() != null
            && network.getStatus().nodes != null
            && network.getStatus().nodes.stream()
                .anyMatch(n -> node.equals(n.node) && n.tunnel != null);
    if (had) {
      try {
        host.removeTunnel(Span.device(network));
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(NetworkRealizer.class)
            .warn("cannot remove tunnel {}: {}", Span.device(network), e.getMessage());
      }
    }
  }

  /** Validation, and what only this node can tell: overlaps, permitted bridges. */
  private List<String> problems(
      KvmNetwork network,
      boolean selected,
      List<KvmNetwork> othersOnNode,
      List<String> permittedBridges) {
    List<String> unreadable = Unreadable.problems(network);
    if (!unreadable.isEmpty()) {
      return unreadable; // the rest is checked once every field can be read
    }
    List<String> problems = new ArrayList<>();
    problems.addAll(ResourceNames.problems(network.getMetadata()));
    // what an API server would have refused (an older CRD, or none checked it): kvmop checks too
    problems.addAll(
        CrdSchemas.specProblems("KvmNetwork", network.getMetadata().getUid(), network.getSpec()));
    problems.addAll(NetworkValidator.validate(network.getSpec()));
    if (problems.isEmpty() && selected && network.getSpec().spans() && overlayAddress == null) {
      problems.add(
          "spec.span: node "
              + node
              + " has no tunnel address: set its agent's KVMOP_OVERLAY_ADDRESS (the chart sets the"
              + " node's address), or keep the network off it with spec.nodeSelector");
    }
    if (problems.isEmpty() && selected) {
      // only what kvmop admitted holds address space and VNIs: a refused network holds nothing
      List<KvmNetwork> holders = NetworkHolders.of(othersOnNode, node, permittedBridges);
      NetworkValidator.overlap(network, holders).ifPresent(problems::add);
      NetworkValidator.vniTaken(network, holders).ifPresent(problems::add);
      NetworkValidator.bridgeNotPermitted(network.getSpec(), node, permittedBridges)
          .ifPresent(problems::add);
    }
    return problems;
  }

  /** A change applied in this generation is reported until the next: status may lag behind. */
  private AppliedChange remembered(KvmNetwork network, AppliedChange change) {
    String uid = network.getMetadata().getUid();
    long gen =
        network.getMetadata().getGeneration() == null ? 0 : network.getMetadata().getGeneration();
    if (change != null) {
      applied.put(uid, java.util.Map.entry(gen, change));
    } else if (applied.containsKey(uid) && applied.get(uid).getKey() == gen) {
      change = applied.get(uid).getValue();
    }
    return change;
  }

  /** On deletion: empty when nothing is left on this node, else why the finalizer must stay. */
  public Optional<Blocker> remove(KvmNetwork network, List<String> machinesUsing) {
    CrdSchemas.forget(network.getMetadata().getUid());
    applied.remove(network.getMetadata().getUid());
    NetworkNaming naming = naming(network);
    try {
      Optional<NetworkState> current = libvirt.networks().findNetwork(naming.libvirtName());
      NetworkPlan plan =
          NetworkPlanner.planDeletion(network.getMetadata().getUid(), current, machinesUsing);
      if (plan.blocker() != null && Reasons.IN_USE.equals(plan.blocker().reason())) {
        return Optional.of(plan.blocker());
      }
      Optional<Blocker> failed = executor.execute(plan.actions());
      if (failed.isEmpty()) {
        dropTunnel(network);
      }
      return failed;
    } catch (LibvirtError e) {
      return Optional.of(unreachable(e));
    }
  }

  private NodeNetworkStatus entry(
      KvmNetwork network,
      Optional<NetworkState> state,
      Blocker blocker,
      String restartPending,
      AppliedChange applied) {
    Integer leases = null;
    if (state.isPresent() && state.get().active() && blocker == null) {
      try {
        leases = libvirt.networks().dhcpLeases(state.get().name()).map(List::size).orElse(null);
      } catch (LibvirtError e) {
        leases = null;
      }
    }
    NodeNetworkStatus previous =
        network.getStatus() == null || network.getStatus().nodes == null
            ? null
            : network.getStatus().nodes.stream()
                .filter(n -> node.equals(n.node))
                .findFirst()
                .orElse(null);
    var spec = network.getSpec();
    NodeOutcome outcome =
        new NodeOutcome(
            state,
            spec != null && spec.autostartEnabled(),
            blocker,
            restartPending,
            applied,
            leases);
    return NetworkStatusBuilder.nodeEntry(network, node, outcome, previous, clock.instant());
  }

  private static Blocker unreachable(LibvirtError e) {
    return new Blocker(
        Reasons.LIBVIRT_UNAVAILABLE,
        e.operation()
            + " failed ("
            + e.code()
            + "): "
            + e.libvirtMessage()
            + "; check that libvirtd runs on the node and its socket is reachable");
  }
}
