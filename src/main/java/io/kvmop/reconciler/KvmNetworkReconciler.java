package io.kvmop.reconciler;

import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkStatus;
import io.kvmop.api.NodeNetworkStatus;
import io.kvmop.cluster.Finalizers;
import io.kvmop.cluster.GoneNodes;
import io.kvmop.machine.MachineDesign;
import io.kvmop.machine.MachineNaming;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.network.NetworkStatusBuilder;
import io.kvmop.network.Span;
import io.kvmop.status.Blocker;
import io.kvmop.status.ConditionTypes;
import io.kvmop.status.Outcome;
import io.kvmop.status.Reasons;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** JOSDK glue for KvmNetwork on this node: the work happens in {@link NetworkRealizer}. */
@ControllerConfiguration(name = KvmNetworkReconciler.NAME)
public class KvmNetworkReconciler implements Reconciler<KvmNetwork>, Cleaner<KvmNetwork> {
  public static final String NAME = "kvmnetwork";

  private final String node;
  private final NetworkRealizer realizer;
  private final LibvirtNetworkEventSource libvirtEvents;
  private final Supplier<Map<String, String>> nodeLabels;
  private final Duration blockedRecheck;
  private final StatusPublisher<KvmNetwork, KvmNetworkStatus> publisher;
  private final TransitionEvents transitions;
  private final Clock clock;

  public KvmNetworkReconciler(
      String node,
      NetworkRealizer realizer,
      LibvirtNetworkEventSource libvirtEvents,
      Supplier<Map<String, String>> nodeLabels,
      Duration blockedRecheck,
      Clock clock) {
    this.node = node;
    this.realizer = realizer;
    this.libvirtEvents = libvirtEvents;
    this.nodeLabels = nodeLabels;
    this.blockedRecheck = blockedRecheck;
    this.transitions = new TransitionEvents(node, clock);
    this.publisher = new StatusPublisher<>(transitions, s -> s.conditions);
    this.clock = clock;
  }

  /**
   * What other agents write into a spanning network's status that this node must act on: the peers'
   * tunnel addresses and the machines' addresses (not the other status writes, and no spec change:
   * the controller sees those itself).
   */
  public static boolean spanChanged(KvmNetwork now, KvmNetwork before) {
    if (now.getSpec() == null || !now.getSpec().spans()) {
      return false;
    }
    return !Span.tunnelAddresses(now).equals(Span.tunnelAddresses(before))
        || !java.util.Objects.equals(
            now.getStatus() == null ? null : now.getStatus().addresses,
            before.getStatus() == null ? null : before.getStatus().addresses);
  }

  @Override
  public List<EventSource<?, KvmNetwork>> prepareEventSources(
      EventSourceContext<KvmNetwork> context) {
    var machines = NetworkUsersSource.create(context);
    // this node's KvmHost: which host bridges its admin lets networks of mode bridge use
    var hosts =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(KvmHost.class, KvmNetwork.class)
                .withSecondaryToPrimaryMapper(
                    (KvmHost h) ->
                        h.getMetadata().getName().equals(node)
                            ? context
                                .getPrimaryCache()
                                .list()
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet())
                            : Set.of())
                .withPrimaryToSecondaryMapper((KvmNetwork n) -> Set.of(new ResourceID(node)))
                .build(),
            context);
    // a spanning network's status as the other agents write it: their tunnels, the addresses
    spanStatus =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(KvmNetwork.class, KvmNetwork.class)
                .withName("span-status")
                .withSecondaryToPrimaryMapper((KvmNetwork n) -> Set.of(ResourceID.fromResource(n)))
                .withOnAddFilter(n -> false)
                .withOnUpdateFilter(KvmNetworkReconciler::spanChanged)
                .build(),
            context);
    return List.of(libvirtEvents, machines, hosts, spanStatus);
  }

  private volatile InformerEventSource<KvmNetwork, KvmNetwork> spanStatus;

  /**
   * The newer of the controller's copy and the span-status informer's: the other agents' writes
   * wake this pass through the latter, and the controller's own informer may not have them yet (its
   * generation filter would then never wake the pass again for them).
   */
  private KvmNetwork freshest(KvmNetwork network) {
    var source = spanStatus;
    if (source == null) {
      return network;
    }
    return source
        .get(ResourceID.fromResource(network))
        .filter(n -> newer(n, network))
        .orElse(network);
  }

  static boolean newer(KvmNetwork a, KvmNetwork b) {
    try {
      return a.getMetadata().getUid().equals(b.getMetadata().getUid())
          && Long.parseLong(a.getMetadata().getResourceVersion())
              > Long.parseLong(b.getMetadata().getResourceVersion());
    } catch (RuntimeException e) {
      return false; // not comparable: the controller's copy
    }
  }

  @Override
  public UpdateControl<KvmNetwork> reconcile(KvmNetwork cached, Context<KvmNetwork> context) {
    KvmNetwork network = freshest(cached);
    var naming = NetworkRealizer.naming(network);
    boolean selected = selected(network);
    libvirtEvents.track(
        ResourceID.fromResource(network),
        naming.libvirtName(),
        network.getSpec() != null && network.getSpec().autostartEnabled());
    List<KvmNetwork> others = context.getPrimaryCache().list().filter(this::selected).toList();
    List<String> bridges =
        context
            .getSecondaryResource(KvmHost.class)
            .map(h -> h.getSpec() == null ? null : h.getSpec().permittedBridges)
            .orElse(List.of());
    List<Span.Wanted> wanted = wanted(network, context);
    KvmNetwork withAddresses = withAddresses(network, wanted);
    Optional<NodeNetworkStatus> entry =
        realizer.realize(withAddresses, selected, others, bridges == null ? List.of() : bridges);
    KvmNetworkStatus status =
        NetworkStatusBuilder.merge(
            network, naming, node, entry.orElse(null), Optional.empty(), clock.instant());
    NodeNetworkStatus mine = entry.orElse(null);
    boolean waits = entry.map(KvmNetworkReconciler::waitsOnHost).orElse(false);
    return publisher.publishShared(
        network,
        new Outcome<>(status, waits ? blockedRecheck : null),
        latest -> {
          KvmNetworkStatus merged =
              NetworkStatusBuilder.merge(
                  latest, naming, node, mine, Optional.empty(), clock.instant());
          KvmNetworkStatus given = withAddresses(latest, wanted).getStatus();
          merged.addresses = given == null ? null : given.addresses;
          return merged;
        },
        context.getClient());
  }

  /**
   * Every machine interface on a spanning network, on any node (the network controller's reduced
   * copy of all machines): each needs an address no other has.
   */
  private static List<Span.Wanted> wanted(KvmNetwork network, Context<KvmNetwork> context) {
    if (network.getSpec() == null || !network.getSpec().spans()) {
      return List.of();
    }
    String ns = network.getMetadata().getNamespace();
    String name = network.getMetadata().getName();
    List<Span.Wanted> out = new java.util.ArrayList<>();
    for (KvmMachine m : context.getSecondaryResources(KvmMachine.class)) {
      if (!ns.equals(m.getMetadata().getNamespace())
          || m.getSpec() == null
          || m.getSpec().interfaces == null
          || m.getMetadata().getUid() == null) {
        continue;
      }
      var naming = MachineNaming.of(ns, m.getMetadata().getName(), m.getMetadata().getUid(), "/");
      for (var i : m.getSpec().interfaces) {
        if (name.equals(i.network)) {
          out.add(
              new Span.Wanted(
                  m.getMetadata().getName(),
                  m.getMetadata().getUid(),
                  i.name,
                  MachineDesign.mac(i, naming)));
        }
      }
    }
    return out;
  }

  /** The network as it is, with its machines' addresses given out (spanning networks only). */
  private KvmNetwork withAddresses(KvmNetwork network, List<Span.Wanted> wanted) {
    if (network.getSpec() == null || !network.getSpec().spans()) {
      if (network.getStatus() == null || network.getStatus().addresses == null) {
        return network;
      }
      KvmNetwork copy = io.fabric8.kubernetes.client.utils.Serialization.clone(network);
      copy.getStatus().addresses = null;
      return copy;
    }
    KvmNetwork copy = io.fabric8.kubernetes.client.utils.Serialization.clone(network);
    if (copy.getStatus() == null) {
      copy.setStatus(new KvmNetworkStatus());
    }
    copy.getStatus().addresses = Span.allocate(network, wanted, clock.instant());
    return copy;
  }

  /**
   * Blockers that clear without a libvirt or Kubernetes event (a host interface releasing an
   * address, libvirtd coming back): looked at again while they last, and only then.
   */
  private static boolean waitsOnHost(NodeNetworkStatus entry) {
    return entry.conditions.stream()
        .filter(c -> c.getType().equals(ConditionTypes.READY) && "False".equals(c.getStatus()))
        .anyMatch(
            c ->
                Set.of(
                        Reasons.ADDRESS_CONFLICT,
                        Reasons.LIBVIRT_ERROR,
                        Reasons.LIBVIRT_UNAVAILABLE,
                        Reasons.HOST_ERROR,
                        Reasons.INACTIVE)
                    .contains(c.getReason()));
  }

  @Override
  public DeleteControl cleanup(KvmNetwork network, Context<KvmNetwork> context) {
    List<String> users =
        context.getSecondaryResources(KvmMachine.class).stream()
            .filter(
                m -> NetworkUsersSource.networksOf(m).contains(ResourceID.fromResource(network)))
            .map(m -> m.getMetadata().getNamespace() + "/" + m.getMetadata().getName())
            .sorted()
            .toList();
    Optional<Blocker> blocker = realizer.remove(network, users);
    if (blocker.isPresent()) {
      KvmNetworkStatus status =
          NetworkStatusBuilder.merge(
              network,
              NetworkRealizer.naming(network),
              node,
              currentEntry(network),
              blocker,
              clock.instant());
      if (!StatusWriter.same(network.getStatus(), status)) {
        NodeNetworkStatus mine = currentEntry(network);
        publisher.publishShared(
            network,
            new Outcome<>(status, null),
            latest ->
                NetworkStatusBuilder.merge(
                    latest, NetworkRealizer.naming(latest), node, mine, blocker, clock.instant()),
            context.getClient());
      }
      return Reasons.IN_USE.equals(blocker.get().reason())
          ? DeleteControl.noFinalizerRemoval()
          : DeleteControl.noFinalizerRemoval().rescheduleAfter(blockedRecheck.toMillis());
    }
    libvirtEvents.untrack(ResourceID.fromResource(network));
    transitions.forget(network);
    libvirtEvents.triggerAll(); // a network whose cidr overlapped this one may proceed now
    GoneNodes.release(context.getClient(), network, Finalizers.network(node));
    return DeleteControl.defaultDelete();
  }

  private NodeNetworkStatus currentEntry(KvmNetwork network) {
    if (network.getStatus() == null || network.getStatus().nodes == null) {
      return null;
    }
    return network.getStatus().nodes.stream()
        .filter(n -> node.equals(n.node))
        .findFirst()
        .orElse(null);
  }

  private boolean selected(KvmNetwork network) {
    Map<String, String> selector =
        network.getSpec() == null ? null : network.getSpec().nodeSelector;
    if (selector == null || selector.isEmpty()) {
      return true;
    }
    Map<String, String> labels = nodeLabels.get();
    return selector.entrySet().stream()
        .allMatch(e -> java.util.Objects.equals(e.getValue(), labels.get(e.getKey())));
  }
}
