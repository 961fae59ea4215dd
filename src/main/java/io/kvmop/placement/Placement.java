package io.kvmop.placement;

import io.kvmop.api.KvmMachine;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chooses the node for a machine that names none: one whose agent is ready, that is not cordoned,
 * whose Node labels match the machine's nodeSelector, that has usable KVM when the machine wants
 * kvm, and that has the CPUs and memory free (capacity minus what its machines declare). Of those,
 * the one with the most free memory (then the fewest allocated CPUs, then the name). Pure: every
 * agent computes the same answer from the same view.
 */
public final class Placement {
  public static final String LABEL = "kvmop.io/node";

  private Placement() {}

  /** What the machine asks for. */
  public record Request(
      int cpus, long memoryKiB, Map<String, String> nodeSelector, boolean needsKvm) {}

  /** One node as the cluster shows it. */
  public record Candidate(
      String node,
      Map<String, String> labels,
      boolean agentReady,
      boolean cordoned,
      boolean kvmUsable,
      int cpus,
      long memoryKiB,
      int allocatedCpus,
      long allocatedMemoryKiB,
      boolean agentLive) {
    /** A node whose agent is known to hold its node Lease. */
    public Candidate(
        String node,
        Map<String, String> labels,
        boolean agentReady,
        boolean cordoned,
        boolean kvmUsable,
        int cpus,
        long memoryKiB,
        int allocatedCpus,
        long allocatedMemoryKiB) {
      this(
          node,
          labels,
          agentReady,
          cordoned,
          kvmUsable,
          cpus,
          memoryKiB,
          allocatedCpus,
          allocatedMemoryKiB,
          true);
    }

    int freeCpus() {
      return cpus - allocatedCpus;
    }

    long freeMemoryKiB() {
      return memoryKiB - allocatedMemoryKiB;
    }
  }

  /** The chosen node, or why no node fits, one reason per node. */
  public record Decision(Optional<String> node, List<String> reasons) {
    public String explain() {
      return reasons.isEmpty()
          ? "no node runs a kvmop agent (no KvmHost exists)"
          : String.join("; ", reasons);
    }
  }

  public static Decision decide(Request want, List<Candidate> nodes) {
    List<Candidate> fit = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    for (Candidate c : nodes.stream().sorted(Comparator.comparing(Candidate::node)).toList()) {
      String why = whyNot(want, c);
      if (why == null) {
        fit.add(c);
      } else {
        reasons.add(c.node() + ": " + why);
      }
    }
    return new Decision(
        fit.stream()
            .min(
                Comparator.comparingLong((Candidate c) -> -c.freeMemoryKiB())
                    .thenComparingInt(Candidate::allocatedCpus)
                    .thenComparing(Candidate::node))
            .map(Candidate::node),
        reasons);
  }

  static String whyNot(Request want, Candidate c) {
    if (!c.agentLive()) {
      // a KvmHost says Ready (left by a node that died, or written by hand) but no agent acts
      return "no kvmop agent holds its node Lease now (its KvmHost is stale)";
    }
    if (!c.agentReady()) {
      return "its kvmop agent is not ready (KvmHost Ready is not True)";
    }
    if (c.cordoned()) {
      return "cordoned (KvmHost spec.cordoned)";
    }
    if (want.nodeSelector() != null) {
      for (var e : want.nodeSelector().entrySet()) {
        if (!e.getValue().equals(c.labels().get(e.getKey()))) {
          return "its labels do not match nodeSelector " + e.getKey() + "=" + e.getValue();
        }
      }
    }
    if (want.needsKvm() && !c.kvmUsable()) {
      return "no usable KVM, and virtType is kvm";
    }
    if (c.freeCpus() < want.cpus()) {
      return c.freeCpus() + " of " + c.cpus() + " CPUs free, " + want.cpus() + " wanted";
    }
    if (c.freeMemoryKiB() < want.memoryKiB()) {
      return mib(c.freeMemoryKiB())
          + " of "
          + mib(c.memoryKiB())
          + " memory free, "
          + mib(want.memoryKiB())
          + " wanted";
    }
    return null;
  }

  private static String mib(long kib) {
    return (kib >> 10) + "Mi";
  }

  /** The node a machine is placed on, if any. */
  public static Optional<String> placedOn(KvmMachine m) {
    return Optional.ofNullable(m.getMetadata().getLabels()).map(l -> l.get(Placement.LABEL));
  }
}
