package io.kvmop.reconciler;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kvmop.api.FailoverStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.MigrationPhase;
import io.kvmop.cluster.Finalizers;
import io.kvmop.cluster.GuardedWrites;
import io.kvmop.cluster.NodeLease;
import io.kvmop.cluster.PlacementView;
import io.kvmop.failover.FailoverPlanner;
import io.kvmop.metrics.KvmopMetrics;
import io.kvmop.placement.Placement;
import io.kvmop.status.Reasons;
import io.kvmop.storage.RbdFencing;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every live agent's look at the other nodes' Leases, every {@link #EVERY}: the Restart machines of
 * a node silent for long enough are fenced (their RBD images' writers blocklisted) and then taken
 * off that node (status first, then its label and finalizer), after which placement puts them on a
 * node that fits. Each write is guarded by the machine's resourceVersion: when several agents race,
 * one takes the machine off and the others see it done. Nothing starts before its storage is
 * fenced; a fence that cannot be done (Ceph unreachable) is tried again, and the machine waits.
 */
public final class FailoverWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FailoverWatch.class);
  static final Duration EVERY = Duration.ofSeconds(2);
  private static final String PREFIX = NodeLease.nameFor("");

  private final KubernetesClient client;
  private final String node;
  private final String namespace;
  private final RbdFencing fencing;
  private final Clock clock;
  private final KvmopMetrics metrics;
  private final TransitionEvents events;
  private final java.util.function.Function<KvmMachine, Optional<List<io.kvmop.status.Happened>>>
      reclaim;
  private ScheduledExecutorService worker;

  public FailoverWatch(
      KubernetesClient client,
      String node,
      String namespace,
      RbdFencing fencing,
      java.util.function.Function<KvmMachine, Optional<List<io.kvmop.status.Happened>>> reclaim,
      Clock clock,
      KvmopMetrics metrics) {
    this.reclaim = reclaim;
    this.client = client;
    this.node = node;
    this.namespace = namespace;
    this.fencing = fencing;
    this.clock = clock;
    this.metrics = metrics;
    this.events = new TransitionEvents(node, clock);
  }

  public synchronized void start() {
    if (worker != null) {
      return;
    }
    worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kvmop-failover");
              t.setDaemon(true);
              return t;
            });
    worker.scheduleWithFixedDelay(this::pass, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void close() {
    if (worker != null) {
      worker.shutdownNow();
      worker = null;
    }
  }

  /** One look: never throws (a failed look is the next one's to do). */
  void pass() {
    try {
      Instant now = clock.instant();
      List<FailoverPlanner.NodeLease> all = leases();
      java.util.Set<String> silent =
          all.stream()
              .filter(l -> !now.isBefore(l.expires()))
              .map(FailoverPlanner.NodeLease::node)
              .collect(java.util.stream.Collectors.toSet());
      for (FailoverPlanner.NodeLease lease : all) {
        if (lease.node().equals(node) || now.isBefore(lease.expires())) {
          continue;
        }
        for (KvmMachine m : PlacementView.machinesOn(client, lease.node())) {
          act(m, lease, now, silent);
        }
      }
    } catch (KubernetesClientException e) {
      LOG.debug("failover look: {}", e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("failover look failed: {}", e.toString());
    }
  }

  private Optional<FailoverPlanner.NodeLease> lease(String of) {
    Lease l = client.leases().inNamespace(namespace).withName(NodeLease.nameFor(of)).get();
    return l == null ? Optional.empty() : Optional.ofNullable(view(l));
  }

  private static FailoverPlanner.NodeLease view(Lease l) {
    String name = l.getMetadata().getName();
    if (!name.startsWith(PREFIX) || l.getSpec() == null || l.getSpec().getRenewTime() == null) {
      return null;
    }
    int seconds =
        l.getSpec().getLeaseDurationSeconds() == null
            ? (int) NodeLease.LEASE_DURATION.toSeconds()
            : l.getSpec().getLeaseDurationSeconds();
    return new FailoverPlanner.NodeLease(
        name.substring(PREFIX.length()),
        l.getSpec().getHolderIdentity(),
        l.getSpec().getRenewTime().toInstant(),
        Duration.ofSeconds(seconds));
  }

  private List<FailoverPlanner.NodeLease> leases() {
    List<FailoverPlanner.NodeLease> out = new ArrayList<>();
    for (Lease l :
        client
            .leases()
            .inNamespace(namespace)
            .list(new ListOptionsBuilder().withResourceVersion("0").build())
            .getItems()) {
      FailoverPlanner.NodeLease v = view(l);
      if (v != null) {
        out.add(v);
      }
    }
    return out;
  }

  private void act(
      KvmMachine m, FailoverPlanner.NodeLease seen, Instant now, java.util.Set<String> silent) {
    FailoverPlanner.NodeLease lease = seen;
    var d = FailoverPlanner.decide(m, Optional.of(lease), now, Finalizers.machine(lease.node()));
    if (d.kind() == FailoverPlanner.Kind.FAIL_OVER || d.kind() == FailoverPlanner.Kind.RECLAIM) {
      // the list may come from the API server's cache: the Lease is read again, from etcd,
      // before anything is fenced or moved
      Optional<FailoverPlanner.NodeLease> fresh = lease(lease.node());
      if (fresh.isEmpty()) {
        return;
      }
      lease = fresh.get();
      now = clock.instant();
      d = FailoverPlanner.decide(m, fresh, now, Finalizers.machine(lease.node()));
    }
    switch (d.kind()) {
      case FAIL_OVER -> failOver(m, lease.node(), d.reason(), now, silent);
      case FINISH -> finish(m, lease.node());
      case RECLAIM -> reclaim(m, lease.node(), d.reason());
      default -> {}
    }
  }

  private void failOver(
      KvmMachine m, String from, String reason, Instant now, java.util.Set<String> silent) {
    if (migrating(m, silent)) {
      // a live migration decides where it is: its target takes the guest over, or gives it up,
      // once the source is silent; only one whose target is silent too is not waited for
      return;
    }
    RbdFencing.Result fenced = fencing.fence(m);
    if (fenced.problem() != null) {
      LOG.warn(
          "KvmMachine {}: node {} is dead but its storage cannot be fenced, so it is not started"
              + " elsewhere yet: {}",
          PlacementView.namespacedName(m),
          from,
          fenced.problem());
      return;
    }
    KvmMachineStatus s = io.fabric8.kubernetes.client.utils.Serialization.clone(m.getStatus());
    FailoverStatus f = new FailoverStatus();
    f.fromNode = from;
    f.reason = reason;
    f.time = now.toString();
    f.by = node;
    f.fenced = fenced.fenced();
    f.count = (s.failover == null || s.failover.count == null ? 0 : s.failover.count) + 1;
    s.failover = f;
    s.nodeName = null;
    Optional<KvmMachine> written = GuardedWrites.statusIfUnchanged(client, m, "/status", s);
    if (written.isEmpty()) {
      return; // another agent, or the node itself, changed it meanwhile: the next look decides
    }
    metrics.failedOver();
    events.did(
        client,
        m,
        Reasons.FAILED_OVER,
        "node "
            + from
            + " is dead ("
            + reason
            + "); "
            + (f.fenced.isEmpty()
                ? "no client had its images open"
                : "cut off its images' writers: " + String.join(", ", f.fenced))
            + "; placing it on another node");
    LOG.warn(
        "KvmMachine {} fails over from dead node {}: {}; fenced {}",
        PlacementView.namespacedName(m),
        from,
        reason,
        f.fenced);
    finish(written.get(), from);
  }

  /**
   * A machine deleted while its node is dead: its RBD images' writers are cut off, the images go by
   * reclaimPolicy, and the dead node's finalizer with them (the node, when back, finds its domain's
   * machine gone and removes the domain). A machine with a local disk waits for its node.
   */
  private void reclaim(KvmMachine m, String from, String reason) {
    RbdFencing.Result fenced = fencing.fence(m);
    if (fenced.problem() != null) {
      LOG.warn(
          "KvmMachine {} (deleted) cannot be released from dead node {} yet: {}",
          PlacementView.namespacedName(m),
          from,
          fenced.problem());
      return;
    }
    Optional<List<io.kvmop.status.Happened>> released = reclaim.apply(m);
    if (released.isEmpty()) {
      return; // a local disk: only its node can remove it
    }
    if (released.get().stream().anyMatch(h -> Reasons.STORAGE_UNAVAILABLE.equals(h.reason()))) {
      return; // Ceph did not answer: the next look tries again, the finalizer stays
    }
    released.get().forEach(h -> events.did(client, m, h.reason(), h.message()));
    List<String> finalizers =
        m.getMetadata().getFinalizers().stream()
            .filter(x -> !x.equals(Finalizers.machine(from)))
            .toList();
    if (GuardedWrites.patchIfUnchanged(client, m, "/metadata/finalizers", finalizers)) {
      LOG.warn(
          "KvmMachine {} was {}: released its RBD images from node {}{}",
          PlacementView.namespacedName(m),
          reason,
          node,
          fenced.fenced().isEmpty() ? "" : " after cutting off " + fenced.fenced());
    }
  }

  /** The label and the dead node's finalizer go: placement sees the machine as unplaced. */
  private void finish(KvmMachine m, String from) {
    Map<String, String> labels =
        new HashMap<>(m.getMetadata().getLabels() == null ? Map.of() : m.getMetadata().getLabels());
    labels.remove(Placement.LABEL);
    List<String> finalizers =
        m.getMetadata().getFinalizers() == null
            ? List.of()
            : m.getMetadata().getFinalizers().stream()
                .filter(x -> !x.equals(Finalizers.machine(from)))
                .toList();
    GuardedWrites.patchIfUnchanged(
        client, m, Map.of("/metadata/labels", labels, "/metadata/finalizers", finalizers));
  }

  private boolean migrating(KvmMachine m, java.util.Set<String> silent) {
    return client
        .resources(KvmMachineMigration.class)
        .inNamespace(m.getMetadata().getNamespace())
        .list()
        .getItems()
        .stream()
        .anyMatch(
            g ->
                g.getSpec() != null
                    && m.getMetadata().getName().equals(g.getSpec().machine)
                    && g.getStatus() != null
                    && g.getStatus().phase != null
                    && (g.getStatus().phase == MigrationPhase.Migrating
                        || g.getStatus().phase == MigrationPhase.Prepared)
                    && !silent.contains(g.getStatus().targetNode));
  }
}
