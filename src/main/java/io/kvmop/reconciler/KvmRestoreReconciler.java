package io.kvmop.reconciler;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineRestore;
import io.kvmop.api.KvmMachineRestoreStatus;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.placement.Placement;
import io.kvmop.snapshot.Restorer;
import io.kvmop.status.Outcome;
import java.time.Clock;

/**
 * JOSDK glue for KvmMachineRestores: the agent of the machine's node does each one once ({@link
 * Restorer}); the others leave it alone. The event of the restore goes on the machine too.
 */
@ControllerConfiguration(name = KvmRestoreReconciler.NAME)
public class KvmRestoreReconciler implements Reconciler<KvmMachineRestore> {
  public static final String NAME = "kvmmachinerestore";

  private final String node;
  private final Restorer restorer;
  private final StatusPublisher<KvmMachineRestore, KvmMachineRestoreStatus> publisher;
  private final TransitionEvents transitions;
  private final java.time.Clock clock;

  public KvmRestoreReconciler(String node, Restorer restorer, Clock clock) {
    this.node = node;
    this.restorer = restorer;
    this.transitions = new TransitionEvents(node, clock);
    this.publisher = new StatusPublisher<>(transitions, s -> s.conditions);
    this.clock = clock;
  }

  @Override
  public UpdateControl<KvmMachineRestore> reconcile(
      KvmMachineRestore r, Context<KvmMachineRestore> context) {
    var client = context.getClient();
    if (UnreadableGuard.stops(
        r, r.getStatus() == null ? null : r.getStatus().conditions, client, clock)) {
      return UpdateControl.noUpdate();
    }
    String ns = r.getMetadata().getNamespace();
    if (r.getStatus() != null
        && r.getStatus().nodeName != null
        && !node.equals(r.getStatus().nodeName)) {
      return UpdateControl.noUpdate(); // another node's agent has it
    }
    KvmMachine m =
        client.resources(KvmMachine.class).inNamespace(ns).withName(r.getSpec().machine).get();
    String placed = m == null ? null : Placement.placedOn(m).orElse(null);
    if (m != null && !node.equals(placed)) {
      return UpdateControl.noUpdate(); // the machine's node does it
    }
    if (m == null && !isFirstNode(client)) {
      return UpdateControl.noUpdate(); // one agent says the machine is missing, not all
    }
    KvmMachineSnapshot s =
        client
            .resources(KvmMachineSnapshot.class)
            .inNamespace(ns)
            .withName(r.getSpec().snapshot)
            .get();
    Outcome<KvmMachineRestoreStatus> o = restorer.restore(r, m, s);
    if (m != null) { // the machine's events say what happened to it too
      o.happened().forEach(h -> transitions.did(client, m, h.reason(), h.message()));
    }
    return publisher.publish(r, o, context);
  }

  /** The first KvmHost by name: the agent that answers for restores no node has. */
  private boolean isFirstNode(io.fabric8.kubernetes.client.KubernetesClient client) {
    return client.resources(KvmHost.class).list().getItems().stream()
        .map(h -> h.getMetadata().getName())
        .sorted()
        .findFirst()
        .map(node::equals)
        .orElse(true);
  }
}
