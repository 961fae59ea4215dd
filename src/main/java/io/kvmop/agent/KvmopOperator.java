package io.kvmop.agent;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.MachinePhase;
import io.kvmop.cluster.ClusterStoragePools;
import io.kvmop.cluster.Finalizers;
import io.kvmop.cluster.GoneNodes;
import io.kvmop.cluster.NodeLease;
import io.kvmop.cluster.PlacementView;
import io.kvmop.cluster.StrayLabels;
import io.kvmop.cluster.TolerantReading;
import io.kvmop.config.OperatorConfig;
import io.kvmop.host.HostFiles;
import io.kvmop.host.HostReporter;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.metrics.HealthServer;
import io.kvmop.metrics.KvmopMetrics;
import io.kvmop.migration.Arrival;
import io.kvmop.migration.MigrationRunner;
import io.kvmop.migration.SourceSide;
import io.kvmop.migration.TargetSide;
import io.kvmop.network.HostNetworkPort;
import io.kvmop.node.NodeCore;
import io.kvmop.placement.NodeLedger;
import io.kvmop.reconciler.KvmHostReconciler;
import io.kvmop.reconciler.KvmMachineReconciler;
import io.kvmop.reconciler.KvmMigrationReconciler;
import io.kvmop.reconciler.KvmNetworkReconciler;
import io.kvmop.reconciler.KvmRestoreReconciler;
import io.kvmop.reconciler.KvmSnapshotReconciler;
import io.kvmop.reconciler.LibvirtNetworkEventSource;
import io.kvmop.reconciler.MachineEventSource;
import io.kvmop.reconciler.MachinePlacementReconciler;
import io.kvmop.reconciler.MachineUpdates;
import io.kvmop.reconciler.SnapshotPlacer;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/** The node agent: the controllers of one node, wired to its libvirt and host. */
public final class KvmopOperator implements AutoCloseable {
  private final KvmopMetrics metrics = new KvmopMetrics();

  /**
   * Reconciles at once on one node (JOSDK's default is 50): libvirt calls and API writes take
   * milliseconds, and more threads only cost memory (each a stack, and more HTTP client threads).
   */
  static final int RECONCILE_THREADS = 16;

  /** What the machines on this node hold: placement and starts give out capacity only here. */
  private final NodeLedger ledger = new NodeLedger();

  private final LibvirtPort libvirt;
  private final int httpPort;
  private HealthServer http;
  private io.fabric8.kubernetes.client.informers.SharedIndexInformer<?> hostDeletions;
  private StrayLabels strayLabels;
  private final java.time.Clock clock;
  private final Operator operator;
  private final KubernetesClient client;
  private final String node;
  private final String leaseNamespace;
  private final String agentId;
  private volatile NodeLease lease;
  private volatile Runnable onLeaseLost = this::stopActing;

  public KvmopOperator(
      OperatorConfig config,
      KubernetesClient given,
      LibvirtPort libvirt,
      HostNetworkPort host,
      HostFiles hostFiles) {
    // one resource this agent cannot read never fails an informer (and so the whole agent)
    KubernetesClient client = TolerantReading.client(given);
    this.operator =
        new Operator(
            o ->
                o.withKubernetesClient(client)
                    .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(metrics.registry()))
                    // finalizers and status by JSON Patch guarded by resourceVersion, on every API
                    // server: one
                    // write path, the one the tests run
                    .withUseSSAToPatchPrimaryResource(false)
                    .withConcurrentReconciliationThreads(RECONCILE_THREADS)
                    .withConcurrentWorkflowExecutorThreads(1)
                    .withCloseClientOnStop(false));
    var storagePools = new ClusterStoragePools(client, config.leaseNamespace());
    NodeCore core =
        NodeCore.of(config, libvirt, host, hostFiles)
            .stages(metrics)
            .storagePools(storagePools)
            .snapshots(
                (ns, name) ->
                    java.util.Optional.ofNullable(
                        client
                            .resources(KvmMachineSnapshot.class)
                            .inNamespace(ns)
                            .withName(name)
                            .get()))
            .build();
    this.clock = core.clock();
    this.nodeFencing =
        new io.kvmop.machine.NodeFencing(
            config.nodeName(),
            libvirt,
            core.machines().locks(),
            core.machines().disks(),
            core.machines()::naming);
    this.failover =
        new io.kvmop.reconciler.FailoverWatch(
            client,
            config.nodeName(),
            config.leaseNamespace(),
            new io.kvmop.storage.RbdFencing(storagePools, io.kvmop.storage.RbdVolumes.ceph()),
            m -> core.machines().disks().releaseShared(m, core.machines().naming(m).domainName()),
            core.clock(),
            metrics);
    registerNetworks(config, core, client);
    var snapshots = new KvmSnapshotReconciler(config.nodeName(), core.snapshots(), core.clock());
    // a machine's node rid of it: its snapshots are gone with it
    this.machines =
        registerMachines(
            config,
            core,
            storagePools,
            nodeFencing,
            m ->
                snapshots.machineChanged(
                    m.getMetadata().getNamespace(), m.getMetadata().getName()));
    registerSnapshots(config, core, snapshots);
    registerMigrations(config, core);
    var reporter =
        new HostReporter(
            libvirt,
            core.inspector(),
            config.repairDefaultNetwork(),
            java.nio.file.Path.of(config.defaultNetworkXml()),
            core.clock(),
            core.disks(),
            HostReporter.endpoint(config.migrationUri(), config.migrationAddress()));
    operator.register(
        new KvmHostReconciler(
            config.nodeName(),
            reporter,
            config.hostRecheck(),
            ledger,
            machines::placedUids,
            core.clock()));
    this.client = client;
    this.node = config.nodeName();
    this.leaseNamespace = config.leaseNamespace();
    this.agentId = config.agentId();
    this.libvirt = libvirt;
    this.httpPort = config.httpPort();
    if (libvirt instanceof JnaLibvirt j) {
      j.observe(metrics);
    }
  }

  private final KvmMachineReconciler machines;
  private final io.kvmop.machine.NodeFencing nodeFencing;
  private final io.kvmop.reconciler.FailoverWatch failover;

  /** JOSDK's and kvmop's metrics. */
  public KvmopMetrics metrics() {
    return metrics;
  }

  /** The port of /metrics, /healthz, /readyz once started; -1 when they are off. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  /** Null when the operator runs and every informer is healthy, else why not. */
  public String liveness() {
    var info = operator.getRuntimeInfo();
    if (!info.isStarted() && lease != null && !lease.held()) {
      return null; // alive, waiting for the node's lease (readiness says so)
    }
    if (!info.isStarted()) {
      return "operator not started";
    }
    if (!info.allEventSourcesAreHealthy()) {
      return "unhealthy event sources: " + info.unhealthyEventSources().keySet();
    }
    return null;
  }

  /** Null when libvirt answers, else its error. */
  String readiness() {
    if (lease != null && !lease.held()) {
      return "waiting for the node lease "
          + leaseNamespace
          + "/"
          + NodeLease.nameFor(node)
          + ", held by "
          + lease.holder();
    }
    try {
      libvirt.host().version();
      return null;
    } catch (LibvirtError e) {
      return "libvirt at " + libvirt.uri() + " does not answer: " + e.getMessage();
    }
  }

  private void registerNetworks(OperatorConfig config, NodeCore core, KubernetesClient client) {
    var networks =
        new KvmNetworkReconciler(
            config.nodeName(),
            core.networks(),
            new LibvirtNetworkEventSource(core.libvirt(), config.autostartCheck()),
            () -> nodeLabels(client, config.nodeName()),
            config.blockedRecheck(),
            core.clock());
    operator.register(networks, o -> o.withFinalizer(Finalizers.network(config.nodeName())));
  }

  private KvmMachineReconciler registerMachines(
      OperatorConfig config,
      NodeCore core,
      ClusterStoragePools storagePools,
      io.kvmop.machine.NodeFencing fencing,
      Consumer<KvmMachine> onRemoved) {
    var leases = core.machines().leases();
    var domainEvents = new MachineEventSource(core.libvirt(), leaseDir(config), leases);
    var machines =
        new KvmMachineReconciler(
                config.nodeName(),
                core.machines(),
                domainEvents,
                core.clock(),
                metrics,
                ledger,
                onRemoved)
            .storagePools(storagePools)
            .fencing(fencing);
    String finalizer = Finalizers.machine(config.nodeName());
    operator.register(
        machines,
        o ->
            o.withFinalizer(finalizer)
                .withLabelSelector(KvmMachineReconciler.selectorFor(config.nodeName()))
                // generation-aware, plus power requests (annotations raise no generation)
                .withGenerationAware(false)
                .withOnUpdateFilter(
                    (now, before) -> MachineUpdates.matter(now, before, finalizer)));
    operator.register(
        new MachinePlacementReconciler(
            config.nodeName(), config.leaseNamespace(), core.clock(), ledger),
        o -> o.withLabelSelector(MachinePlacementReconciler.selector()));
    return machines;
  }

  /**
   * Snapshots of the machines on this node (labelled to it by SnapshotPlacer on every agent),
   * restores of them, and the snapshots clones on this node start from.
   */
  private void registerSnapshots(
      OperatorConfig config, NodeCore core, KvmSnapshotReconciler snapshots) {
    String node = config.nodeName();
    operator.register(
        snapshots,
        o ->
            o.withFinalizer(Finalizers.snapshot(node))
                .withLabelSelector(KvmMachineReconciler.selectorFor(node)));
    operator.register(
        new SnapshotPlacer(node, core.clock()),
        o -> o.withLabelSelector(SnapshotPlacer.selector()));
    operator.register(new KvmRestoreReconciler(node, core.restores(), core.clock()));
  }

  /** Live migrations: every agent looks at each one, as the machine's node or the chosen target. */
  private void registerMigrations(OperatorConfig config, NodeCore core) {
    String node = config.nodeName();
    var arrival = new Arrival(core.libvirt(), core.machines(), core.kvm());
    var runner = new MigrationRunner(core.libvirt(), core.machines().locks());
    operator.register(
        new KvmMigrationReconciler(
            node,
            config.leaseNamespace(),
            new SourceSide(node, core.libvirt(), runner, arrival, core.clock()),
            new TargetSide(node, arrival, ledger, core.clock()),
            ledger,
            core.clock()),
        // each agent's status writes are the other's cue: every change, not only spec's
        o -> o.withGenerationAware(false));
  }

  private static Map<String, String> nodeLabels(KubernetesClient client, String node) {
    Node n = client.nodes().withName(node).get();
    return n == null || n.getMetadata().getLabels() == null
        ? Map.of()
        : n.getMetadata().getLabels();
  }

  /** Whether this agent holds its node's lease now. */
  public boolean leaseHeld() {
    return lease != null && lease.held();
  }

  /** What runs when this agent loses its node's lease (default: it stops acting). */
  public void onLeaseLost(Runnable action) {
    this.onLeaseLost = action;
  }

  /** Starts once this agent holds its node's lease, waiting as long as another agent holds it. */
  public void start() {
    start(null);
  }

  /**
   * Serves /healthz, /readyz and /metrics at once, then waits to hold the node's lease (at most
   * {@code maxWait}; null: as long as it takes) and only then acts for the node.
   *
   * @throws IllegalStateException when {@code maxWait} passed first
   */
  public void start(Duration maxWait) {
    if (httpPort >= 0 && http == null) {
      try {
        http = new HealthServer(httpPort, metrics::scrape, this::liveness, this::readiness);
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot listen on port " + httpPort + ": " + e, e);
      }
    }
    lease =
        NodeLease.contend(
            client,
            leaseNamespace,
            node,
            agentId,
            () -> {
              fenceSelf();
              onLeaseLost.run();
            });
    try {
      if (maxWait == null) {
        while (!lease.awaitHeld(Duration.ofMinutes(1))) {
          // another agent acts for this node; NodeLease logged who
        }
      } else if (!lease.awaitHeld(maxWait)) {
        lease.close();
        throw new IllegalStateException(
            "the lease of node " + node + " is held by " + lease.holder() + " after " + maxWait);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      lease.close();
      throw new IllegalStateException("interrupted while waiting for the node lease", e);
    }
    boolean known = KvmHostReconciler.ensureExists(client, node);
    seedLedger();
    operator.start();
    if (known) {
      // a node new to this cluster (or an agent pointed at the wrong one) removes nothing
      machines.sweepDeleted();
    }
    strayLabels = StrayLabels.watch(client, node, leaseNamespace, clock);
    failover.start();
    hostDeletions =
        KvmHostReconciler.onDeleted(
            client,
            h -> {
              if (h.getMetadata().getName().equals(node)) {
                KvmHostReconciler.registerAgain(client, node);
              } else {
                GoneNodes.hostDeleted(client, node, h);
              }
            });
  }

  /**
   * What the machines already placed on this node hold, before placement gives out anything: one
   * list of them, each holding as it declares (a Halted one nothing). Sized by the first host
   * report.
   */
  private void seedLedger() {
    for (KvmMachine m : PlacementView.machinesOn(client, node)) {
      if (m.getSpec() != null && m.getMetadata().getUid() != null) {
        boolean running = m.getStatus() != null && m.getStatus().phase == MachinePhase.Running;
        ledger.observe(m.getMetadata().getUid(), PlacementView.claim(m.getSpec()), running);
      }
    }
  }

  /**
   * Self-fencing: this agent lost its node's Lease (another node may soon take its Restart
   * machines), so they stop here at once, before any other node is allowed to start them.
   */
  private void fenceSelf() {
    java.util.List<String> fenced = nodeFencing.fenceSelf(machines.placedMachines());
    for (String domain : fenced) {
      metrics.selfFenced();
      org.slf4j.LoggerFactory.getLogger(KvmopOperator.class)
          .error(
              "lost the node Lease: destroyed domain {} (spec.failover.policy Restart), which another"
                  + " node restarts once this node counts as dead",
              domain);
    }
  }

  private synchronized void stopActing() {
    failover.close();
    if (strayLabels != null) {
      strayLabels.close();
      strayLabels = null;
    }
    if (hostDeletions != null) {
      hostDeletions.close();
      hostDeletions = null;
    }
    operator.stop();
  }

  @Override
  public void close() {
    if (http != null) {
      http.close();
    }
    stopActing();
    if (lease != null) {
      lease.close(); // released: a successor need not wait for it to expire
    }
    client.close(); // this agent's own reading client, made from the one it was given
  }

  /**
   * libvirt's dnsmasq directory as this agent sees it, or null when libvirtd runs on another host
   * (a remote URI): a local directory of that name would not be the one its dnsmasq writes.
   */
  static java.nio.file.Path leaseDir(OperatorConfig config) {
    return leaseDir(config.libvirtUri(), config.leaseDir());
  }

  public static java.nio.file.Path leaseDir(String libvirtUri, String dir) {
    String host = java.net.URI.create(libvirtUri).getHost();
    return host == null || host.isEmpty() ? java.nio.file.Path.of(dir) : null;
  }
}
