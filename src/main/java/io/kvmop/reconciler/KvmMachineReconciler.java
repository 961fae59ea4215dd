package io.kvmop.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
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
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.MachinePhase;
import io.kvmop.cluster.ClusterSecrets;
import io.kvmop.cluster.ClusterStoragePools;
import io.kvmop.cluster.Finalizers;
import io.kvmop.cluster.GuardedWrites;
import io.kvmop.cluster.PlacementView;
import io.kvmop.machine.MachineRealizer;
import io.kvmop.machine.NetworkBinding;
import io.kvmop.machine.NetworkBindings;
import io.kvmop.machine.NodePolicy;
import io.kvmop.machine.StartAdmission;
import io.kvmop.metrics.KvmopMetrics;
import io.kvmop.migration.MigrationStatuses;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.placement.NodeLedger;
import io.kvmop.placement.Placement;
import io.kvmop.status.Happened;
import io.kvmop.status.Outcome;
import io.kvmop.status.Reasons;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** JOSDK glue for KvmMachine on this node: the work happens in {@link MachineRealizer}. */
@ControllerConfiguration(name = KvmMachineReconciler.NAME)
public class KvmMachineReconciler implements Reconciler<KvmMachine>, Cleaner<KvmMachine> {
  public static final String NAME = "kvmmachine";

  private final String node;
  private final MachineRealizer realizer;
  private final MachineEventSource events;
  private final Clock clock;
  private final StatusPublisher<KvmMachine, KvmMachineStatus> publisher;
  private final TransitionEvents transitions;
  private final KvmopMetrics metrics;
  private final NodeLedger ledger;
  private volatile io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache<KvmMachine>
      placedHere;
  private final java.util.function.Consumer<KvmMachine> onRemoved;
  private volatile InformerEventSource<KvmMachineMigration, KvmMachine> migrations;
  private final DeletedMachines deleted;
  private ClusterStoragePools storagePools;

  /**
   * @param onRemoved told of each machine once its node is rid of it (its snapshots are then gone
   *     too)
   */
  public KvmMachineReconciler(
      String node,
      MachineRealizer realizer,
      MachineEventSource events,
      Clock clock,
      KvmopMetrics metrics,
      NodeLedger ledger,
      java.util.function.Consumer<KvmMachine> onRemoved) {
    this.onRemoved = onRemoved;
    this.metrics = metrics;
    this.ledger = ledger;
    this.node = node;
    this.realizer = realizer;
    this.events = events;
    this.transitions = new TransitionEvents(node, clock);
    this.publisher =
        new StatusPublisher<KvmMachine, KvmMachineStatus>(transitions, s -> s.conditions)
            .observedBy((m, s) -> metrics.machine(m, s, clock.instant()));
    this.clock = clock;
    this.deleted = new DeletedMachines(node, realizer.libvirt(), this::removeFromNode);
  }

  /** Where disks' KvmStoragePools are read from: this controller's watch of them feeds it. */
  public KvmMachineReconciler storagePools(ClusterStoragePools pools) {
    this.storagePools = pools;
    return this;
  }

  /** The uids of the machines placed on this node (the controller's cache; empty before start). */
  public java.util.Set<String> placedUids() {
    var cache = placedHere;
    return cache == null
        ? java.util.Set.of()
        : cache.list().map(m -> m.getMetadata().getUid()).collect(Collectors.toSet());
  }

  /** This agent's machine controller sees only the machines placed on its node. */
  public static String selectorFor(String node) {
    return Placement.LABEL + "=" + node;
  }

  @Override
  public List<EventSource<?, KvmMachine>> prepareEventSources(
      EventSourceContext<KvmMachine> context) {
    this.placedHere = context.getPrimaryCache();
    var networks =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(KvmNetwork.class, KvmMachine.class)
                .withSecondaryToPrimaryMapper(
                    (KvmNetwork n) ->
                        context
                            .getPrimaryCache()
                            .list(n.getMetadata().getNamespace())
                            .filter(
                                m ->
                                    NetworkUsersSource.networksOf(m)
                                        .contains(ResourceID.fromResource(n)))
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper((KvmMachine m) -> NetworkUsersSource.networksOf(m))
                .withOnUpdateFilter(
                    (KvmNetwork now, KvmNetwork before) ->
                        MachineInputs.networkMatters(now, before, node))
                .build(),
            context);
    var hosts =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(KvmHost.class, KvmMachine.class)
                .withSecondaryToPrimaryMapper(
                    (KvmHost h) ->
                        context
                            .getPrimaryCache()
                            .list()
                            .filter(
                                m ->
                                    h.getMetadata()
                                        .getName()
                                        .equals(Placement.placedOn(m).orElse(null)))
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper(
                    (KvmMachine m) ->
                        Placement.placedOn(m)
                            .map(n -> java.util.Set.of(new ResourceID(n)))
                            .orElse(java.util.Set.of()))
                .withOnUpdateFilter(MachineInputs::hostMatters)
                .build(),
            context);
    // a machine copied away by a live migration is not touched here meanwhile, even by an agent
    // that restarted during the copy
    migrations =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(KvmMachineMigration.class, KvmMachine.class)
                .withSecondaryToPrimaryMapper(
                    (KvmMachineMigration g) ->
                        g.getSpec() == null || g.getSpec().machine == null
                            ? java.util.Set.of()
                            : java.util.Set.of(
                                new ResourceID(
                                    g.getSpec().machine, g.getMetadata().getNamespace())))
                .withPrimaryToSecondaryMapper((KvmMachine m) -> java.util.Set.of())
                .build(),
            context);
    deleted.useClient(context.getClient());
    if (storagePools == null) {
      return List.of(events, networks, hosts, migrations, deleted);
    }
    var pools = StoragePoolsSource.create(context, storagePools);
    return List.of(events, networks, hosts, migrations, deleted, pools);
  }

  @Override
  public UpdateControl<KvmMachine> reconcile(KvmMachine m, Context<KvmMachine> context) {
    long passStarted = System.nanoTime();
    String placed = Placement.placedOn(m).orElse(null);
    if (!node.equals(placed)) {
      return UpdateControl.noUpdate(); // another node's agent runs it (or it is not placed yet)
    }
    String decided = m.getStatus() == null ? null : m.getStatus().nodeName;
    if (decided == null && node.equals(m.getSpec().nodeName) && admittedBySpec(m)) {
      decided = node; // its first status, written below, records the decision
    }
    if (!node.equals(decided)) {
      returnToPlacement(m, decided, context.getClient());
      return UpdateControl.noUpdate();
    }
    if (leaving(m)) {
      return UpdateControl.noUpdate(); // the migration hands it over, or it stays and comes back
    }
    Map<String, KvmNetwork> networks =
        context.getSecondaryResources(KvmNetwork.class).stream()
            .collect(
                Collectors.toMap(n -> n.getMetadata().getName(), Function.identity(), (a, b) -> a));
    var hostSpec = context.getSecondaryResource(KvmHost.class).map(KvmHost::getSpec);
    var policy = NodePolicy.of(hostSpec.orElse(null));
    String uid = m.getMetadata().getUid();
    List<NetworkBinding> bindings = NetworkBindings.resolve(m, networks, node);
    Outcome<KvmMachineStatus> r =
        realizer.realize(
            m,
            bindings,
            policy,
            ClusterSecrets.of(context.getClient()),
            new StartAdmission() {
              @Override
              public Optional<String> admit(KvmMachine machine, boolean running) {
                ledger.name(uid, PlacementView.namespacedName(machine));
                return ledger.observe(uid, PlacementView.claim(machine.getSpec()), running);
              }

              @Override
              public void refused(KvmMachine machine) {
                ledger.refused(uid, PlacementView.claim(machine.getSpec()));
              }
            });
    events.track(
        ResourceID.fromResource(m),
        realizer.naming(m).domainName(),
        leaseBridges(r, bindings, networks),
        passStarted);
    // kvmop may only get Secrets, not watch them
    return publisher.publish(m, usesSecret(m) ? r.recheckWithin(SECRET_RECHECK) : r, context);
  }

  /**
   * A machine whose spec.nodeName is this node is placed by the label alone (one write less per
   * machine): it is here by its spec, and it holds this node's capacity only if the ledger gives it
   * (placement reserved it before labelling; a label set by hand gets no more than placement would
   * have given).
   */
  private boolean admittedBySpec(KvmMachine m) {
    var claim = PlacementView.claim(m.getSpec());
    ledger.name(m.getMetadata().getUid(), PlacementView.namespacedName(m));
    return ledger.exceedsNode(claim) || ledger.reserve(m.getMetadata().getUid(), claim).isEmpty();
  }

  /**
   * The label names this node, but placement never put the machine here (status.nodeName, which
   * only agents write, says otherwise): a label set or moved by hand. It never skips placement's
   * checks: the label goes back to where placement put the machine (so its agent keeps managing a
   * running domain), or away when it was never placed, and this node lets go of its finalizer.
   */
  private void returnToPlacement(KvmMachine m, String decided, KubernetesClient client) {
    Map<String, String> labels = new java.util.HashMap<>(m.getMetadata().getLabels());
    if (decided == null) {
      labels.remove(Placement.LABEL);
    } else {
      labels.put(Placement.LABEL, decided);
    }
    List<String> finalizers =
        m.getMetadata().getFinalizers() == null
            ? List.of()
            : m.getMetadata().getFinalizers().stream()
                .filter(f -> !f.equals(Finalizers.machine(node)))
                .toList();
    if (!GuardedWrites.patchIfUnchanged(
        client, m, Map.of("/metadata/labels", labels, "/metadata/finalizers", finalizers))) {
      return; // changed meanwhile: the next event decides again
    }
    ledger.release(m.getMetadata().getUid());
    transitions.did(
        client,
        m,
        Reasons.PLACEMENT_LABEL_RESTORED,
        "the label "
            + Placement.LABEL
            + "="
            + node
            + " was not written by kvmop's placement"
            + (decided == null
                ? "; removed, so that the machine is placed by the usual checks"
                : "; set back to " + decided + ", where the machine was placed"));
  }

  /** Whether a live migration copies the machine away from this node now. */
  private boolean leaving(KvmMachine m) {
    var source = migrations;
    return source != null
        && MigrationStatuses.leaving(
                source.list(m.getMetadata().getNamespace(), g -> true), m, node)
            .isPresent();
  }

  /** How often a machine whose user-data is in a Secret reads it again. */
  static final Duration SECRET_RECHECK = Duration.ofSeconds(30);

  private static boolean usesSecret(KvmMachine m) {
    return m.getSpec().cloudInit != null && m.getSpec().cloudInit.userDataSecretRef != null;
  }

  @Override
  public DeleteControl cleanup(KvmMachine m, Context<KvmMachine> context) {
    if (!node.equals(Placement.placedOn(m).orElse(null))) {
      return DeleteControl.defaultDelete();
    }
    if (leaving(m)) {
      // its migration is cancelled (the machine is deleted) and ends first
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(2000);
    }
    var wait = removeFromNode(m, context.getClient());
    if (wait.isEmpty()) {
      deleted.cleanedUp(m.getMetadata().getUid());
    }
    return wait.isPresent()
        ? DeleteControl.noFinalizerRemoval().rescheduleAfter(wait.get().toMillis())
        : DeleteControl.defaultDelete();
  }

  /**
   * Removes what this node has of a deleted machine (by cleanup, or by {@link DeletedMachines} when
   * the object went first): empty once nothing is left, else how soon to go on.
   */
  private Optional<Duration> removeFromNode(KvmMachine m, KubernetesClient client) {
    List<Happened> released = new java.util.ArrayList<>();
    var wait = realizer.remove(m, released);
    released.forEach(h -> transitions.did(client, m, h.reason(), h.message()));
    if (wait.isPresent()) {
      return wait;
    }
    events.untrack(ResourceID.fromResource(m));
    ledger.release(m.getMetadata().getUid());
    transitions.forget(m);
    metrics.forget(m);
    onRemoved.accept(m);
    return Optional.empty();
  }

  /**
   * Once the caches are filled: removes the domains of machines deleted while this agent was down
   * with this node's finalizer taken off (see {@link DeletedMachines}).
   */
  public void sweepDeleted() {
    deleted.sweep(placedUids());
  }

  /** The machines placed on this node, as this controller's cache has them (empty before start). */
  public List<KvmMachine> placedMachines() {
    var cache = placedHere;
    return cache == null ? List.of() : cache.list().toList();
  }

  /** Stale domains of machines that failed over away are removed through {@code fencing}. */
  public KvmMachineReconciler fencing(io.kvmop.machine.NodeFencing fencing) {
    deleted.staleCopies(
        fencing,
        (m, done) -> {
          var c = deleted.client();
          if (c != null) {
            done.forEach(h -> transitions.did(c, m, h.reason(), h.message()));
          }
        });
    return this;
  }

  /**
   * The bridges whose dnsmasq leases a starting machine (running, an address missing) waits for:
   * its kvmop networks' bridges, or any for a libvirt network kvmop does not name.
   */
  static Set<String> leaseBridges(
      Outcome<KvmMachineStatus> r,
      List<NetworkBinding> bindings,
      Map<String, KvmNetwork> networks) {
    if (r.status().phase != MachinePhase.Starting) {
      return Set.of();
    }
    Set<String> bridges = new HashSet<>();
    for (NetworkBinding b : bindings) {
      KvmNetwork n = b.managed() ? networks.get(b.network()) : null;
      bridges.add(n == null ? MachineEventSource.ANY_BRIDGE : NetworkRealizer.naming(n).bridge());
    }
    return bridges.isEmpty() ? Set.of(MachineEventSource.ANY_BRIDGE) : bridges;
  }
}
