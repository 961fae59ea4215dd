package io.kvmop.reconciler;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.kvmop.api.DrainPhase;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmHostSpec;
import io.kvmop.api.KvmHostStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.KvmMachineMigrationSpec;
import io.kvmop.api.Quantities;
import io.kvmop.api.Unreadable;
import io.kvmop.cluster.PlacementView;
import io.kvmop.host.HostReporter;
import io.kvmop.migration.DrainPlanner;
import io.kvmop.placement.NodeLedger;
import io.kvmop.placement.Placement;
import io.kvmop.status.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JOSDK glue for this node's KvmHost: the agent creates it, keeps its status current, and re-reads
 * the host's files and libvirt's facts (which raise no events) every {@code recheck} or when the
 * KvmHost's spec changes. In between, a change of what the machines hold (from the node's {@link
 * NodeLedger}) publishes only the allocation, from the last full report.
 */
@ControllerConfiguration(name = KvmHostReconciler.NAME)
public class KvmHostReconciler implements Reconciler<KvmHost> {
  public static final String NAME = "kvmhost";

  private final String node;
  private final java.time.Clock clock;
  private final HostReporter reporter;
  private final Duration recheck;
  private final StatusPublisher<KvmHost, KvmHostStatus> publisher;
  private final NodeLedger ledger;
  private final java.util.function.Supplier<Set<String>> placedHere;

  /** The last full report, its time (nanoTime) and the KvmHost generation it was made for. */
  private KvmHostStatus lastReport;

  private long lastReportAt;
  private Long lastGeneration;

  /** How long a reservation may wait for its machine to show up placed here before it lapses. */
  static final Duration RESERVATION_GRACE = Duration.ofMinutes(2);

  public KvmHostReconciler(
      String node,
      HostReporter reporter,
      Duration recheck,
      NodeLedger ledger,
      java.util.function.Supplier<Set<String>> placedHere,
      java.time.Clock clock) {
    this.placedHere = placedHere;
    this.clock = clock;
    this.node = node;
    this.reporter = reporter;
    this.recheck = recheck;
    this.publisher = new StatusPublisher<>(new TransitionEvents(node, clock), s -> s.conditions);
    this.ledger = ledger;
  }

  /**
   * Creates this node's KvmHost when it does not exist; an admin's spec is never overwritten.
   * Whether it existed already (this node has been part of this cluster before).
   */
  public static boolean ensureExists(KubernetesClient client, String node) {
    if (client.resources(KvmHost.class).withName(node).get() != null) {
      return true;
    }
    KvmHost h = new KvmHost();
    h.setMetadata(new ObjectMetaBuilder().withName(node).build());
    h.setSpec(new KvmHostSpec());
    try {
      client.resource(h).create();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      return true;
    }
    return false;
  }

  /**
   * Tells {@code handler} of every KvmHost deleted (one watch for all that an agent does then).
   * Close the returned informer to stop.
   */
  public static io.fabric8.kubernetes.client.informers.SharedIndexInformer<KvmHost> onDeleted(
      KubernetesClient client, java.util.function.Consumer<KvmHost> handler) {
    return client
        .resources(KvmHost.class)
        .inform(
            new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
              @Override
              public void onAdd(KvmHost h) {}

              @Override
              public void onUpdate(KvmHost before, KvmHost after) {}

              @Override
              public void onDelete(KvmHost h, boolean finalStateUnknown) {
                handler.accept(h);
              }
            });
  }

  /**
   * Registers this node's KvmHost again after someone deleted it while the agent runs (with the
   * default spec), as kubelet keeps its Node.
   */
  public static void registerAgain(KubernetesClient client, String node) {
    try {
      ensureExists(client, node);
      LOG.info("KvmHost {} was deleted; registered it again", node);
    } catch (RuntimeException e) {
      LOG.warn("cannot register KvmHost {} again: {}", node, e.toString());
    }
  }

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(KvmHostReconciler.class);

  @Override
  public List<EventSource<?, KvmHost>> prepareEventSources(EventSourceContext<KvmHost> context) {
    // what the machines hold reaches the KvmHost through the ledger (debounced), not one
    // reconcile per machine event
    return List.of(new LedgerEventSource(node, ledger, Duration.ofSeconds(1)));
  }

  @Override
  public UpdateControl<KvmHost> reconcile(KvmHost host, Context<KvmHost> context) {
    if (!node.equals(host.getMetadata().getName())) {
      return UpdateControl.noUpdate(); // another node's agent reports that host
    }
    KvmHostStatus status = report(host);
    List<String> unreadable = Unreadable.problems(host);
    if (!unreadable.isEmpty()) {
      // the node admin's policy may be what could not be read: no new machine is placed here
      status.conditions = UnreadableGuard.said(host, unreadable, status.conditions, clock).build();
    }
    ledger.sweep(placedHere.get(), RESERVATION_GRACE);
    NodeLedger.Totals held = ledger.totals();
    status.allocated = new KvmHostStatus.HostResources();
    status.allocated.cpus = held.heldCpus();
    status.allocated.memory = Quantities.humanKib(held.heldKiB());
    status.drain = drain(host, context.getClient());
    Duration next =
        status.drain != null && status.drain.phase == DrainPhase.Draining ? DRAIN_FOLLOW : recheck;
    return publisher.publish(host, new Outcome<>(status, next), context);
  }

  /** How often a drain in progress is looked at (its migrations' ends show here). */
  static final Duration DRAIN_FOLLOW = Duration.ofSeconds(2);

  /**
   * A cordoned host with spec.drain: a migration for each machine here that can move, and what
   * cannot and why (null when not draining).
   */
  private KvmHostStatus.DrainStatus drain(KvmHost host, KubernetesClient client) {
    if (host.getSpec() == null
        || !Boolean.TRUE.equals(host.getSpec().cordoned)
        || !Boolean.TRUE.equals(host.getSpec().drain)) {
      return null;
    }
    var machines =
        client
            .resources(KvmMachine.class)
            .inAnyNamespace()
            .withLabel(Placement.LABEL, node)
            .list()
            .getItems();
    var migrations =
        client
            .resources(KvmMachineMigration.class)
            .inAnyNamespace()
            .withLabel(DrainPlanner.LABEL, node)
            .list()
            .getItems();
    var plan = DrainPlanner.plan(node, machines, migrations);
    for (var move : plan.migrate()) {
      var g = new KvmMachineMigration();
      g.getMetadata().setNamespace(move.machine().getMetadata().getNamespace());
      g.getMetadata().setName(move.name());
      g.getMetadata().setLabels(Map.of(DrainPlanner.LABEL, node));
      g.setSpec(new KvmMachineMigrationSpec());
      g.getSpec().machine = move.machine().getMetadata().getName();
      try {
        client.resource(g).create();
        LOG.info("draining node {}: migration {} created", node, move.name());
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
    return plan.status();
  }

  /** A full report when due (or the spec changed), else the last one; sizes the ledger. */
  private synchronized KvmHostStatus report(KvmHost host) {
    long now = System.nanoTime();
    Long generation = host.getMetadata().getGeneration();
    if (lastReport == null
        || !java.util.Objects.equals(generation, lastGeneration)
        || now - lastReportAt >= recheck.toNanos() * 9 / 10) {
      lastReport = reporter.report(host);
      lastReportAt = now;
      lastGeneration = generation;
    }
    KvmHostStatus s = io.fabric8.kubernetes.client.utils.Serialization.clone(lastReport);
    if (s.capacity != null) {
      s.allocatable = PlacementView.scaled(s.capacity, host.getSpec());
      ledger.allow(PlacementView.cpus(s.allocatable), PlacementView.kib(s.allocatable));
    }
    return s;
  }
}
