package io.kvmop.reconciler;

import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmMachineSnapshotStatus;
import io.kvmop.api.Unreadable;
import io.kvmop.snapshot.SnapshotKeeper;
import io.kvmop.status.Outcome;
import java.time.Clock;
import java.util.List;

/**
 * JOSDK glue for the KvmMachineSnapshots of machines on this node (labelled so by {@link
 * SnapshotPlacer}): the work happens in {@link SnapshotKeeper}. Its finalizer deletes the libvirt
 * snapshot before the resource goes.
 */
@ControllerConfiguration(name = KvmSnapshotReconciler.NAME)
public class KvmSnapshotReconciler
    implements Reconciler<KvmMachineSnapshot>, Cleaner<KvmMachineSnapshot> {
  public static final String NAME = "kvmmachinesnapshot";

  private final SnapshotKeeper keeper;
  private final StatusPublisher<KvmMachineSnapshot, KvmMachineSnapshotStatus> publisher;
  private final TransitionEvents transitions;
  private final java.time.Clock clock;
  private final Nudges nudges = new Nudges();
  private volatile IndexedResourceCache<KvmMachineSnapshot> cache;

  public KvmSnapshotReconciler(String node, SnapshotKeeper keeper, Clock clock) {
    this.keeper = keeper;
    this.transitions = new TransitionEvents(node, clock);
    this.publisher = new StatusPublisher<>(transitions, s -> s.conditions);
    this.clock = clock;
  }

  /** Reconciles a machine's snapshots now (its machine was deleted, or its domain changed). */
  public void machineChanged(String namespace, String machine) {
    var c = cache;
    if (c == null) {
      return;
    }
    c.list(namespace)
        .filter(s -> s.getSpec() != null && machine.equals(s.getSpec().machine))
        .forEach(s -> nudges.nudge(ResourceID.fromResource(s)));
  }

  @Override
  public List<EventSource<?, KvmMachineSnapshot>> prepareEventSources(
      EventSourceContext<KvmMachineSnapshot> context) {
    this.cache = context.getPrimaryCache();
    return List.of(nudges);
  }

  @Override
  public UpdateControl<KvmMachineSnapshot> reconcile(
      KvmMachineSnapshot s, Context<KvmMachineSnapshot> context) {
    if (UnreadableGuard.stops(s, conditionsOf(s), context.getClient(), clock)) {
      return UpdateControl.noUpdate();
    }
    KvmMachine machine =
        context
            .getClient()
            .resources(KvmMachine.class)
            .inNamespace(s.getMetadata().getNamespace())
            .withName(s.getSpec().machine)
            .get();
    if (machine != null && machine.isMarkedForDeletion()) {
      machine = null;
    }
    Outcome<KvmMachineSnapshotStatus> o = keeper.keep(s, machine);
    return publisher.publish(s, o, context);
  }

  private static List<io.fabric8.kubernetes.api.model.Condition> conditionsOf(
      KvmMachineSnapshot s) {
    return s.getStatus() == null ? null : s.getStatus().conditions;
  }

  @Override
  public DeleteControl cleanup(KvmMachineSnapshot s, Context<KvmMachineSnapshot> context) {
    if (!Unreadable.problems(s).isEmpty()) {
      // which libvirt snapshot it names may be what could not be read: keep the finalizer, touch
      // nothing, and say so until the field is corrected (or the finalizer removed by hand)
      UnreadableGuard.stops(s, conditionsOf(s), context.getClient(), clock);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(java.time.Duration.ofSeconds(30));
    }
    var released = keeper.release(s);
    released.forEach(h -> transitions.did(context.getClient(), s, h.reason(), h.message()));
    if (released.stream()
        .anyMatch(
            h ->
                io.kvmop.status.Reasons.STORAGE_UNAVAILABLE.equals(h.reason())
                    || io.kvmop.status.Reasons.CEPH_KEY_NOT_FOUND.equals(h.reason()))) {
      // its RBD snapshots could not be removed: the finalizer stays until Ceph answers again
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(java.time.Duration.ofSeconds(10));
    }
    transitions.forget(s);
    return DeleteControl.defaultDelete();
  }

  /** Events kvmop raises itself for a snapshot. */
  static final class Nudges extends AbstractEventSource<Void, KvmMachineSnapshot> {
    Nudges() {
      super(Void.class, "snapshot-nudges");
    }

    void nudge(ResourceID id) {
      if (isRunning()) {
        getEventHandler().handleEvent(new Event(id));
      }
    }

    @Override
    public java.util.Set<Void> getSecondaryResources(KvmMachineSnapshot primary) {
      return java.util.Set.of();
    }
  }
}
