package io.kvmop.reconciler;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmMachineSnapshotStatus;
import io.kvmop.api.SnapshotPhase;
import io.kvmop.cluster.GuardedWrites;
import io.kvmop.placement.Placement;
import io.kvmop.status.Conditions;
import io.kvmop.status.Outcome;
import io.kvmop.status.Progress;
import io.kvmop.status.Reasons;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Gives a new KvmMachineSnapshot to the node its machine is on: labels it kvmop.io/node=NODE when
 * this agent's node runs the machine, so that only that agent's snapshot controller (and its
 * finalizer) takes it. Says so in status while the machine is missing or not placed.
 */
@ControllerConfiguration(name = SnapshotPlacer.NAME)
public class SnapshotPlacer implements Reconciler<KvmMachineSnapshot> {
  public static final String NAME = "kvmmachinesnapshot-placement";
  static final Duration RETRY = Duration.ofSeconds(15);

  private final String node;
  private final Clock clock;
  private final StatusPublisher<KvmMachineSnapshot, KvmMachineSnapshotStatus> publisher;

  public SnapshotPlacer(String node, Clock clock) {
    this.node = node;
    this.clock = clock;
    this.publisher = StatusPublisher.quiet();
  }

  /** The snapshots no node has taken yet. */
  public static String selector() {
    return "!" + Placement.LABEL;
  }

  @Override
  public UpdateControl<KvmMachineSnapshot> reconcile(
      KvmMachineSnapshot s, Context<KvmMachineSnapshot> context) {
    var client = context.getClient();
    if (UnreadableGuard.stops(
        s, s.getStatus() == null ? null : s.getStatus().conditions, client, clock)) {
      return UpdateControl.noUpdate();
    }
    KvmMachine m =
        client
            .resources(KvmMachine.class)
            .inNamespace(s.getMetadata().getNamespace())
            .withName(s.getSpec().machine)
            .get();
    String placed = m == null ? null : Placement.placedOn(m).orElse(null);
    if (node.equals(placed)) {
      Map<String, String> labels =
          new HashMap<>(
              s.getMetadata().getLabels() == null ? Map.of() : s.getMetadata().getLabels());
      labels.put(Placement.LABEL, node);
      GuardedWrites.patchIfUnchanged(client, s, Map.of("/metadata/labels", labels));
      return UpdateControl.noUpdate();
    }
    KvmMachineSnapshotStatus st = new KvmMachineSnapshotStatus();
    st.observedGeneration = s.getMetadata().getGeneration();
    st.phase = SnapshotPhase.Pending;
    Conditions c =
        new Conditions(
            s.getStatus() == null ? null : s.getStatus().conditions,
            st.observedGeneration,
            clock.instant());
    c.set(
        Conditions.READY,
        false,
        m == null ? Reasons.MACHINE_NOT_FOUND : Reasons.PENDING,
        m == null
            ? "no KvmMachine " + s.getSpec().machine + " in this namespace; waiting for it"
            : "machine " + s.getSpec().machine + " is not placed on a node yet");
    Progress.fromReady(c);
    st.conditions = c.build();
    UpdateControl<KvmMachineSnapshot> control =
        placed == null
            ? publisher.publishUncached(s, new Outcome<>(st, null), client)
            : UpdateControl.noUpdate();
    return control.rescheduleAfter(RETRY);
  }
}
