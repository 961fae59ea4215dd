package io.kvmop.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.KvmMachineMigrationStatus;
import io.kvmop.migration.MigrationOutcome;
import io.kvmop.placement.NodeLedger;
import io.kvmop.placement.Placement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a migration changes on the machine resource, each change guarded by the machine's
 * resourceVersion: the target node's finalizer added before the copy (and dropped when it failed),
 * and the machine handed over to the target once it runs there.
 */
public final class MachineHandover {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(MachineHandover.class);

  private final NodeLedger ledger;

  public MachineHandover(NodeLedger ledger) {
    this.ledger = ledger;
  }

  /** False when the machine changed meanwhile (the next look decides again). */
  public boolean change(
      KvmMachineMigration mig,
      KvmMachine m,
      MigrationOutcome.MachineChange change,
      KubernetesClient client) {
    KvmMachineMigrationStatus st = mig.getStatus();
    if (st == null || st.targetNode == null) {
      return true;
    }
    String targetFinalizer = Finalizers.machine(st.targetNode);
    List<String> finalizers =
        new ArrayList<>(
            m.getMetadata().getFinalizers() == null ? List.of() : m.getMetadata().getFinalizers());
    switch (change) {
      case ADD_TARGET_FINALIZER:
        if (finalizers.contains(targetFinalizer)) {
          return true;
        }
        finalizers.add(targetFinalizer);
        return GuardedWrites.patchIfUnchanged(client, m, "/metadata/finalizers", finalizers);
      case DROP_TARGET_FINALIZER:
        if (!finalizers.remove(targetFinalizer)) {
          return true;
        }
        return GuardedWrites.patchIfUnchanged(client, m, "/metadata/finalizers", finalizers);
      case HAND_OVER:
        return handOver(m, st.sourceNode, st.targetNode, finalizers, client);
      default:
        return true;
    }
  }

  /**
   * The machine moves to the target in two guarded steps, as placement places it: first the
   * decision in status (status.nodeName, which only agents write), then the label and finalizers.
   * Killed in between, the source's machine controller finds a label that status contradicts and
   * moves it (and drops its finalizer) itself.
   */
  private boolean handOver(
      KvmMachine m, String from, String to, List<String> finalizers, KubernetesClient client) {
    KvmMachine latest = m;
    if (m.getStatus() == null || !to.equals(m.getStatus().nodeName)) {
      var written = GuardedWrites.statusIfUnchanged(client, m, "/status/nodeName", to);
      if (written.isEmpty()) {
        return false;
      }
      latest = written.get();
    }
    Map<String, String> labels =
        new HashMap<>(
            latest.getMetadata().getLabels() == null ? Map.of() : latest.getMetadata().getLabels());
    List<String> fins =
        new ArrayList<>(
            latest.getMetadata().getFinalizers() == null
                ? finalizers
                : latest.getMetadata().getFinalizers());
    boolean labelled = to.equals(labels.get(Placement.LABEL));
    boolean released = fins.remove(Finalizers.machine(from));
    if (!labelled || released) {
      labels.put(Placement.LABEL, to);
      if (!GuardedWrites.patchIfUnchanged(
          client, latest, Map.of("/metadata/labels", labels, "/metadata/finalizers", fins))) {
        return false;
      }
    }
    ledger.release(m.getMetadata().getUid());
    LOG.info(
        "machine {}/{} handed over from node {} to node {}",
        m.getMetadata().getNamespace(),
        m.getMetadata().getName(),
        from,
        to);
    return true;
  }
}
