package io.kvmop.standalone;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.NodeNetworkStatus;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.machine.MachineRealizer;
import io.kvmop.machine.NetworkBindings;
import io.kvmop.machine.NodePolicy;
import io.kvmop.machine.PowerRequests;
import io.kvmop.metrics.KvmopMetrics;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.network.NetworkStatusBuilder;
import io.kvmop.node.NodeCore;
import io.kvmop.status.ConditionTypes;
import io.kvmop.status.Conditions;
import io.kvmop.status.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kvmop without a cluster: the resources of a manifest directory, reconciled by the same realizers
 * as the operator against this host's libvirt, with status written as YAML under {@code statusDir}.
 * What it created is found again after a restart from its ownership marks (a uid derived from kind,
 * namespace and name), so a manifest removed while it was down is still cleaned up; nothing without
 * that mark is touched.
 */
public final class StandaloneAgent {
  private static final Logger LOG = LoggerFactory.getLogger(StandaloneAgent.class);

  private final Path manifests;
  private final Path statusDir;
  private final StatusStore store;

  /** This directory's ownership scope: only what carries it is ours to change or remove. */
  private final String scope;

  private final String node;
  private final LibvirtPort libvirt;
  private final NetworkRealizer networks;
  private final MachineRealizer machines;
  private final NodePolicy policy;
  private final Clock clock;
  private final Map<String, KvmNetwork> lastNetworks = new HashMap<>();
  private final Map<String, KvmMachine> lastMachines = new HashMap<>();
  private final Map<String, String> specs = new HashMap<>();
  private final Map<String, Long> generations = new HashMap<>();

  /** The file each resource came from in the passes so far. */
  private final Map<String, Path> origins = new HashMap<>();

  /** How long a manifest must stay gone before what it declared is removed. */
  private final StandaloneMarks marks;

  private final ManifestProblems problems;
  private final StandaloneRemoval removal;
  private final StandaloneSnapshots snapshots;
  private final KvmopMetrics metrics;
  private final StatusDocuments documents;

  /**
   * The agent of a manifest directory, on the core {@code core} builds (its clones find their
   * snapshots in the manifests' last pass).
   *
   * @param core the node's core (its realizers, snapshots and restores, libvirt and clock)
   * @param policy what the node's admin allows the manifests (the standalone flags)
   */
  public static StandaloneAgent on(
      Path manifests, Path statusDir, NodeCore.Builder core, NodePolicy policy) {
    return on(manifests, statusDir, core, policy, new KvmopMetrics());
  }

  /**
   * @param metrics where the machines' phases and timings go (what {@code kvmop run} serves on
   *     /metrics); the core's pass stages should go there too
   */
  public static StandaloneAgent on(
      Path manifests,
      Path statusDir,
      NodeCore.Builder core,
      NodePolicy policy,
      KvmopMetrics metrics) {
    LastSnapshots last = new LastSnapshots();
    return new StandaloneAgent(
        manifests, statusDir, core.snapshots(last).build(), policy, last, metrics);
  }

  private StandaloneAgent(
      Path manifests,
      Path statusDir,
      NodeCore core,
      NodePolicy policy,
      LastSnapshots last,
      KvmopMetrics metrics) {
    this.metrics = metrics;
    String node = core.node();
    LibvirtPort libvirt = core.libvirt();
    NetworkRealizer networks = core.networks();
    MachineRealizer machines = core.machines();
    Clock clock = core.clock();
    this.policy = policy;
    this.manifests = manifests;
    this.statusDir = statusDir;
    this.store = new StatusStore(statusDir);
    this.documents = new StatusDocuments(store, core.clock());
    this.problems = new ManifestProblems(store);
    try {
      this.scope = StandaloneIds.scope(manifests, store);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(
          "cannot keep the directory's scope in " + statusDir, e);
    }
    this.marks = new StandaloneMarks(scope);
    this.removal =
        new StandaloneRemoval(libvirt, machines, networks, store, marks, clock, lastMachines::get);
    this.node = node;
    this.libvirt = libvirt;
    this.networks = networks;
    this.machines = machines;
    this.clock = clock;
    this.snapshots = new StandaloneSnapshots(core.snapshots(), core.restores(), store, last);
  }

  /** The directory of power request files, created (the runner watches it). */
  public Path requestsDir() throws IOException {
    return PowerRequestFiles.ensureDir(store);
  }

  /** What one pass found: problems per file, and how soon to look again (null: on events only). */
  public record Pass(List<Manifests.Problem> problems, Duration recheckAfter) {}

  /** Loads the manifests and reconciles everything once. */
  public synchronized Pass reconcileOnce() throws IOException {
    Manifests.Loaded loaded = Manifests.load(manifests, scope);
    problems.report(loaded.problems());
    List<KvmNetwork> nets = loaded.networks().stream().map(this::withKnownState).toList();
    List<KvmMachine> vms = loaded.machines().stream().map(this::withKnownState).toList();
    for (KvmNetwork n : nets) {
      NodeNetworkStatus entry =
          networks.realize(n, true, nets, policy.permittedBridges()).orElse(null);
      n.setStatus(
          NetworkStatusBuilder.merge(
              n, NetworkRealizer.naming(n), node, entry, Optional.empty(), clock.instant()));
      documents.write(n, "KvmNetwork");
    }
    Duration recheck = null;
    for (KvmMachine m : vms) {
      recheck = sooner(recheck, machine(m, nets, loaded));
    }
    Map<String, Manifests.Problem> held = held(loaded);
    Map<String, KvmMachine> byName =
        vms.stream()
            .collect(
                Collectors.toMap(
                    m -> m.getMetadata().getNamespace() + "/" + m.getMetadata().getName(),
                    Function.identity()));
    recheck =
        sooner(
            recheck,
            snapshots.reconcile(loaded.snapshots(), loaded.restores(), byName, held.keySet()));
    recheck = sooner(recheck, removal.removeGone(nets, vms, loaded, held.keySet(), false));
    documents.markHeld(held);
    loaded.origins().forEach((k, f) -> origins.put(k, f));
    remember(nets, vms);
    return new Pass(loaded.problems(), recheck);
  }

  /** One machine of the pass, on this host, with the networks of its namespace. */
  private Duration machine(KvmMachine m, List<KvmNetwork> nets, Manifests.Loaded loaded)
      throws IOException {
    try {
      // a power request of kvmop start|stop|... --manifests, as the annotation carries it
      PowerRequestFiles.pending(store, m.getMetadata().getNamespace(), m.getMetadata().getName())
          .ifPresent(
              r -> {
                Map<String, String> a =
                    new HashMap<>(
                        m.getMetadata().getAnnotations() == null
                            ? Map.of()
                            : m.getMetadata().getAnnotations());
                a.put(PowerRequests.ANNOTATION, r);
                m.getMetadata().setAnnotations(a);
              });
    } catch (IOException | IllegalArgumentException e) {
      LOG.warn(
          "cannot read the power request of {}: {}", m.getMetadata().getName(), e.getMessage());
    }
    Map<String, KvmNetwork> mine =
        nets.stream()
            .filter(n -> n.getMetadata().getNamespace().equals(m.getMetadata().getNamespace()))
            .collect(Collectors.toMap(n -> n.getMetadata().getName(), Function.identity()));
    Outcome<KvmMachineStatus> r =
        machines.realize(
            m,
            NetworkBindings.resolve(m, mine, node),
            policy,
            (ns, name, key) ->
                Optional.ofNullable(loaded.secrets().get(ns + "/" + name)).map(d -> d.get(key)));
    r.happened()
        .forEach(
            h ->
                LOG.info(
                    "{}/{}: {}",
                    m.getMetadata().getNamespace(),
                    m.getMetadata().getName(),
                    h.message()));
    metrics.machine(m, r.status(), clock.instant());
    m.setStatus(r.status());
    documents.write(m, "KvmMachine");
    return r.recheckAfter();
  }

  /** The sooner of two rechecks (null: none). */
  static Duration sooner(Duration a, Duration b) {
    return b == null || (a != null && a.compareTo(b) <= 0) ? a : b;
  }

  /** Machines of the last pass that are Ready, with their first address; null if any is not. */
  public synchronized Map<String, String> readyMachines() {
    if (lastMachines.isEmpty()) {
      return null;
    }
    Map<String, String> ready = new java.util.TreeMap<>();
    for (KvmMachine m : lastMachines.values()) {
      if (m.getStatus() == null
          || !Conditions.isTrue(m.getStatus().conditions, ConditionTypes.READY)) {
        return null;
      }
      ready.put(
          m.getMetadata().getNamespace() + "/" + m.getMetadata().getName(),
          !m.getStatus().ipAddresses.isEmpty()
              ? m.getStatus().ipAddresses.get(0)
              : m.getSpec().interfaces == null || m.getSpec().interfaces.isEmpty()
                  ? "(no interface)"
                  : "(no address: "
                      + Conditions.find(m.getStatus().conditions, "IPAssigned")
                          .map(c -> c.getMessage())
                          .orElse("none reported")
                      + ")");
    }
    return ready;
  }

  /** Removes everything standalone kvmop created on this host; true once nothing is left. */
  public synchronized boolean removeAll() throws IOException {
    if (lastMachines.isEmpty()) {
      // a fresh process: the manifests still say how each machine wants to be shut down
      Manifests.load(manifests, scope).machines().forEach(m -> lastMachines.put(key(m), m));
    }
    removal.removeGone(
        List.of(),
        List.of(),
        new Manifests.Loaded(List.of(), List.of(), List.of(), Map.of()),
        Set.of(),
        true);
    boolean domainsLeft =
        libvirt.domains().listDomainNames().stream()
            .anyMatch(n -> libvirt.domains().findDomain(n).flatMap(marks::of).isPresent());
    boolean networksLeft =
        libvirt.networks().listNetworks().stream().anyMatch(s -> marks.of(s).isPresent());
    if (domainsLeft || networksLeft) {
      return false;
    }
    // libvirt holds nothing of ours any more: status of resources whose libvirt objects were
    // already gone (removed by hand, or another libvirt) would otherwise still say Ready
    for (String kind :
        List.of(
            "KvmMachine",
            "KvmNetwork",
            StandaloneSnapshots.SNAPSHOT,
            StandaloneSnapshots.RESTORE)) {
      store.forget(kind);
    }
    problems.report(List.of());
    store.delete(store.root().resolve(StandaloneIds.SCOPE_FILE)); // nothing is owned any more
    return true;
  }

  /**
   * Volumes of this directory's machines still in the pool after everything was removed: disks
   * removed from a spec earlier, kept because they may hold data (kvmop delete names each).
   */
  public synchronized List<String> keptVolumes() {
    return removal.keptVolumes(lastMachines.values());
  }

  /** Generation counts spec changes across passes; status carries over from the last pass. */
  private <T extends HasMetadata> T withKnownState(T r) {
    String k = key(r);
    Object spec = r instanceof KvmNetwork n ? n.getSpec() : ((KvmMachine) r).getSpec();
    String json = Serialization.asJson(spec);
    long gen = generations.getOrDefault(k, 1L);
    if (specs.containsKey(k) && !specs.get(k).equals(json)) {
      gen++;
    }
    specs.put(k, json);
    generations.put(k, gen);
    r.getMetadata().setGeneration(gen);
    if (r instanceof KvmNetwork n && lastNetworks.containsKey(k)) {
      n.setStatus(lastNetworks.get(k).getStatus());
    } else if (r instanceof KvmMachine m && lastMachines.containsKey(k)) {
      m.setStatus(lastMachines.get(k).getStatus());
    }
    return r;
  }

  private void remember(List<KvmNetwork> nets, List<KvmMachine> vms) {
    lastNetworks.clear();
    nets.forEach(n -> lastNetworks.put(key(n), n));
    lastMachines.clear();
    vms.forEach(m -> lastMachines.put(key(m), m));
    metrics.keepOnly(
        vms.stream()
            .map(m -> m.getMetadata().getNamespace() + "/" + m.getMetadata().getName())
            .collect(Collectors.toSet()));
  }

  /**
   * What stays as last applied because its document is invalid, with the problem: the held
   * documents, and what an unreadable file declared in the passes before (its origin).
   */
  private Map<String, Manifests.Problem> held(Manifests.Loaded loaded) {
    Map<String, Manifests.Problem> held = new HashMap<>(loaded.held());
    origins.forEach(
        (key, file) -> {
          Manifests.Problem p = loaded.unreadable().get(file);
          if (p != null) {
            held.putIfAbsent(key, p);
          }
        });
    return held;
  }

  private static String key(HasMetadata r) {
    return r.getKind() + "/" + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }
}
