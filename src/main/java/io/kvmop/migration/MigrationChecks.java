package io.kvmop.migration;

import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.MachinePhase;
import io.kvmop.placement.Placement;
import io.kvmop.status.Conditions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Whether a machine can move live, and to which node: pure checks on the resources, made by the
 * machine's node before anything is prepared or copied.
 */
public final class MigrationChecks {
  private MigrationChecks() {}

  /** Why the machine can never move live as declared; empty when it can. */
  public static List<String> problems(KvmMachine m) {
    List<String> out = new ArrayList<>();
    KvmMachineSpec spec = m.getSpec();
    if (m.isMarkedForDeletion()) {
      out.add("the machine is being deleted");
    }
    if (spec == null) {
      return out;
    }
    if (spec.nodeName != null) {
      out.add(
          "spec.nodeName pins it to node "
              + spec.nodeName
              + ": kvmop never writes spec, so remove nodeName (or use nodeSelector) to let it move");
    }
    if (spec.hostDevices != null && !spec.hostDevices.isEmpty()) {
      out.add("spec.hostDevices passes the host's PCI devices through, and they cannot move");
    }
    return out;
  }

  /** Null when the machine runs and can be moved now, else what it waits for. */
  public static String notRunning(KvmMachine m) {
    if (m.getStatus() == null || m.getStatus().phase != MachinePhase.Running) {
      return "the machine is "
          + (m.getStatus() == null || m.getStatus().phase == null
              ? "not running yet"
              : m.getStatus().phase)
          + "; a live migration moves a running machine (a stopped one moves when it is started"
          + " elsewhere)";
    }
    return null;
  }

  /** The target node, or why none. */
  public record Target(String node, String refusal) {}

  /**
   * spec.targetNode when it can take the machine, else the node placement would choose among the
   * others; either way only nodes whose agent publishes a usable migration endpoint.
   *
   * @param candidates how placement sees the given hosts (capacity, readiness, cordons, labels)
   */
  public static Target choose(
      KvmMachineMigration mig,
      String source,
      List<KvmHost> hosts,
      Placement.Request want,
      Function<List<KvmHost>, List<Placement.Candidate>> candidates) {
    String wanted = mig.getSpec().targetNode;
    if (source.equals(wanted)) {
      return new Target(null, "spec.targetNode " + wanted + " is the node the machine runs on");
    }
    List<KvmHost> open = new ArrayList<>();
    List<String> closed = new ArrayList<>();
    for (KvmHost h : hosts) {
      String name = h.getMetadata().getName();
      if (name.equals(source) || (wanted != null && !wanted.equals(name))) {
        continue;
      }
      Optional<String> why = endpointProblem(h);
      if (why.isPresent()) {
        closed.add(name + ": " + why.get());
      } else {
        open.add(h);
      }
    }
    if (wanted != null && open.isEmpty() && closed.isEmpty()) {
      return new Target(
          null, "spec.targetNode " + wanted + " has no kvmop agent (no KvmHost of that name)");
    }
    if (open.isEmpty()) {
      return new Target(
          null,
          closed.isEmpty()
              ? "no other node runs a kvmop agent"
              : "no node accepts migrations: " + String.join("; ", closed));
    }
    Placement.Decision d = Placement.decide(want, candidates.apply(open));
    if (d.node().isEmpty()) {
      List<String> why = new ArrayList<>(closed);
      why.add(d.explain());
      return new Target(null, "no node can take the machine: " + String.join("; ", why));
    }
    return new Target(d.node().get(), null);
  }

  /** Why a node takes no migrations: its agent publishes no usable endpoint, or it is not Ready. */
  static Optional<String> endpointProblem(KvmHost h) {
    var s = h.getStatus();
    if (s == null || s.migration == null || s.migration.uri == null) {
      return Optional.of("accepts no migrations (its agent has no KVMOP_MIGRATION_URI)");
    }
    String bad = MigrationUris.problem(s.migration.uri);
    if (bad != null) {
      return Optional.of("its migration URI " + s.migration.uri + " is unusable: " + bad);
    }
    if (!Conditions.isTrue(s.conditions, Conditions.READY)) {
      return Optional.of("not Ready");
    }
    return Optional.empty();
  }
}
