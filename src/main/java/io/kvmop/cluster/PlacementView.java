package io.kvmop.cluster;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmHostSpec;
import io.kvmop.api.KvmHostStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.Quantities;
import io.kvmop.api.RunStrategy;
import io.kvmop.api.VirtType;
import io.kvmop.placement.NodeLedger;
import io.kvmop.placement.Placement;
import io.kvmop.status.Conditions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The nodes as placement sees them: every KvmHost from the informer's cache (no API call per
 * machine), this node's holdings exactly from its {@link NodeLedger}, other nodes' as their agents
 * last published them in KvmHost status, and Node labels (read only for machines with a
 * nodeSelector, kept for {@link #LABELS_TTL}).
 */
public final class PlacementView {
  static final Duration LABELS_TTL = Duration.ofSeconds(10);

  private record Labels(Map<String, String> labels, Instant read) {}

  private final String node;
  private final NodeLedger ledger;
  private final Clock clock;
  private final Map<String, Labels> labels = new ConcurrentHashMap<>();

  private final AgentLeases leases;

  public PlacementView(String node, String leaseNamespace, NodeLedger ledger, Clock clock) {
    this.node = node;
    this.leases = new AgentLeases(leaseNamespace, clock);
    this.ledger = ledger;
    this.clock = clock;
  }

  public static Placement.Request request(KvmMachineSpec spec) {
    return new Placement.Request(
        spec.cpuOrDefault().maxVcpus(),
        Math.max(
            Quantities.kib(spec.memory).orElse(0L),
            Quantities.kib(spec.maxMemoryOrMemory()).orElse(0L)),
        spec.nodeSelector,
        spec.virtTypeOrDefault() == VirtType.KVM);
  }

  /** What a machine claims on its node: nothing while its runStrategy is Halted. */
  public static NodeLedger.Claim claim(KvmMachineSpec spec) {
    return new NodeLedger.Claim(
        spec.cpuOrDefault().maxVcpus(),
        Math.max(
            Quantities.kib(spec.memory).orElse(0L),
            Quantities.kib(spec.maxMemoryOrMemory()).orElse(0L)),
        spec.runStrategyOrDefault() != RunStrategy.Halted);
  }

  /**
   * Reads what is due of the nodes' Leases (and labels), so that {@link #candidates}, called under
   * the ledger's lock, finds them in the cache and makes no API call while it holds the lock.
   */
  public void warm(List<KvmHost> hosts, boolean needLabels, KubernetesClient client) {
    for (KvmHost h : hosts) {
      live(h.getMetadata().getName(), client);
      if (needLabels) {
        labels(h.getMetadata().getName(), client);
      }
    }
  }

  public List<Placement.Candidate> candidates(
      List<KvmHost> hosts, boolean needLabels, KubernetesClient client) {
    List<Placement.Candidate> out = new ArrayList<>();
    for (KvmHost h : hosts) {
      String name = h.getMetadata().getName();
      KvmHostStatus s = h.getStatus();
      int allowedCpus;
      long allowedKiB;
      int heldCpus;
      long heldKiB;
      if (name.equals(node)) {
        NodeLedger.Totals t = ledger.totals();
        allowedCpus = t.allowedCpus();
        allowedKiB = t.allowedKiB();
        heldCpus = t.heldCpus();
        heldKiB = t.heldKiB();
      } else {
        KvmHostStatus.HostResources allowed = allocatable(h);
        allowedCpus = cpus(allowed);
        allowedKiB = kib(allowed);
        heldCpus = s == null ? 0 : cpus(s.allocated);
        heldKiB = s == null ? 0 : kib(s.allocated);
      }
      out.add(
          new Placement.Candidate(
              name,
              needLabels ? labels(name, client) : Map.of(),
              s != null && Conditions.isTrue(s.conditions, Conditions.READY),
              h.getSpec() != null && Boolean.TRUE.equals(h.getSpec().cordoned),
              s != null && s.kvm != null && Boolean.TRUE.equals(s.kvm.usable),
              allowedCpus,
              allowedKiB,
              heldCpus,
              heldKiB,
              live(name, client)));
    }
    return out;
  }

  /** Whether the node's agent held its Lease and stopped renewing it (read now, not cached). */
  public boolean silent(KubernetesClient client, String name) {
    return !name.equals(node) && leases.silent(client, name);
  }

  /** Whether the node's agent holds its Lease now (this node's always does: it acts only then). */
  private boolean live(String name, KubernetesClient client) {
    return name.equals(node) || leases.held(client, name);
  }

  /** What a host allows in all: as its agent published it, or capacity times the ratios. */
  static KvmHostStatus.HostResources allocatable(KvmHost h) {
    KvmHostStatus s = h.getStatus();
    if (s == null) {
      return null;
    }
    if (s.allocatable != null) {
      return s.allocatable;
    }
    return s.capacity == null ? null : scaled(s.capacity, h.getSpec());
  }

  /** Capacity times the KvmHost's allocation ratios. */
  public static KvmHostStatus.HostResources scaled(
      KvmHostStatus.HostResources capacity, KvmHostSpec spec) {
    KvmHostSpec sp = spec == null ? new KvmHostSpec() : spec;
    KvmHostStatus.HostResources r = new KvmHostStatus.HostResources();
    r.cpus = (int) Math.floor(cpus(capacity) * sp.cpuRatio());
    r.memory = Quantities.humanKib((long) Math.floor(kib(capacity) * sp.memoryRatio()));
    return r;
  }

  public static int cpus(KvmHostStatus.HostResources r) {
    return r == null || r.cpus == null ? 0 : r.cpus;
  }

  public static long kib(KvmHostStatus.HostResources r) {
    return r == null ? 0 : Quantities.kib(r.memory).orElse(0L);
  }

  private Map<String, String> labels(String name, KubernetesClient client) {
    Instant now = clock.instant();
    Labels l = labels.get(name);
    if (l == null || l.read().plus(LABELS_TTL).isBefore(now)) {
      Node n = client.nodes().withName(name).get();
      l =
          new Labels(
              n == null || n.getMetadata().getLabels() == null
                  ? Map.of()
                  : Map.copyOf(n.getMetadata().getLabels()),
              now);
      labels.put(name, l);
    }
    return l.labels();
  }

  /** namespace/name, as the ledger names a machine. */
  /** Every machine placed on {@code node} (labelled to it), in every namespace. */
  public static List<KvmMachine> machinesOn(KubernetesClient client, String node) {
    return client
        .resources(KvmMachine.class)
        .inAnyNamespace()
        .withLabel(Placement.LABEL, node)
        .list()
        .getItems();
  }

  public static String namespacedName(KvmMachine m) {
    return m.getMetadata().getNamespace() + "/" + m.getMetadata().getName();
  }
}
