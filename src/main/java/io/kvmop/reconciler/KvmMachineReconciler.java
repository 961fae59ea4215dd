package io.kvmop.reconciler;

import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.MachinePhase;
import io.kvmop.api.PciDeviceId;
import io.kvmop.machine.MachineRealizer;
import io.kvmop.machine.NetworkBindings;
import io.kvmop.status.Conditions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** JOSDK glue for KvmMachine on this node: the work happens in {@link MachineRealizer}. */
@ControllerConfiguration(name = KvmMachineReconciler.NAME)
public class KvmMachineReconciler implements Reconciler<KvmMachine>, Cleaner<KvmMachine> {
  public static final String NAME = "kvmmachine";

  private final String node;
  private final MachineRealizer realizer;
  private final MachineEventSource events;
  private final Clock clock;
  private final StatusWriter statusWriter;
  private final TransitionEvents transitions;

  public KvmMachineReconciler(
      String node,
      MachineRealizer realizer,
      MachineEventSource events,
      boolean serverSideApply,
      Clock clock) {
    this.node = node;
    this.realizer = realizer;
    this.events = events;
    this.statusWriter = new StatusWriter(serverSideApply);
    this.transitions = new TransitionEvents(node, clock);
    this.clock = clock;
  }

  public static String finalizerFor(String node) {
    return Finalizers.forNode("machine", node);
  }

  @Override
  public List<EventSource<?, KvmMachine>> prepareEventSources(
      EventSourceContext<KvmMachine> context) {
    var networks =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(KvmNetwork.class, KvmMachine.class)
                .withSecondaryToPrimaryMapper(
                    (KvmNetwork n) ->
                        context
                            .getPrimaryCache()
                            .list(n.getMetadata().getNamespace())
                            .filter(
                                m ->
                                    KvmNetworkReconciler.networksOf(m)
                                        .contains(ResourceID.fromResource(n)))
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper((KvmMachine m) -> KvmNetworkReconciler.networksOf(m))
                .build(),
            context);
    var hosts =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(KvmHost.class, KvmMachine.class)
                .withSecondaryToPrimaryMapper(
                    (KvmHost h) ->
                        context
                            .getPrimaryCache()
                            .list()
                            .filter(
                                m ->
                                    m.getSpec() != null
                                        && h.getMetadata().getName().equals(m.getSpec().nodeName))
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper(
                    (KvmMachine m) ->
                        m.getSpec() == null || m.getSpec().nodeName == null
                            ? java.util.Set.<ResourceID>of()
                            : java.util.Set.of(new ResourceID(m.getSpec().nodeName)))
                .build(),
            context);
    return List.of(events, networks, hosts);
  }

  @Override
  public UpdateControl<KvmMachine> reconcile(KvmMachine m, Context<KvmMachine> context) {
    String wanted = m.getSpec() == null ? null : m.getSpec().nodeName;
    if (wanted == null) {
      return statusWriter.write(m, unscheduled(m), context.getClient());
    }
    if (!node.equals(wanted)) {
      return UpdateControl.noUpdate(); // another node's agent runs it
    }
    Map<String, KvmNetwork> networks =
        context.getSecondaryResources(KvmNetwork.class).stream()
            .collect(
                Collectors.toMap(n -> n.getMetadata().getName(), Function.identity(), (a, b) -> a));
    List<PciDeviceId> permitted =
        context
            .getSecondaryResource(KvmHost.class)
            .map(
                h ->
                    h.getSpec() == null || h.getSpec().permittedHostDevices == null
                        ? List.<PciDeviceId>of()
                        : h.getSpec().permittedHostDevices)
            .orElse(List.of());
    MachineRealizer.Result r =
        realizer.realize(m, NetworkBindings.resolve(m, networks, node), permitted);
    events.track(
        ResourceID.fromResource(m),
        realizer.naming(m).domainName(),
        r.status().phase == MachinePhase.Starting);
    r.happened().forEach(h -> transitions.did(context.getClient(), m, h.reason(), h.message()));
    transitions.record(
        context.getClient(),
        m,
        m.getStatus() == null ? List.of() : m.getStatus().conditions,
        r.status().conditions);
    UpdateControl<KvmMachine> control = statusWriter.write(m, r.status(), context.getClient());
    return r.recheckAfter() == null ? control : control.rescheduleAfter(r.recheckAfter());
  }

  private KvmMachineStatus unscheduled(KvmMachine m) {
    KvmMachineStatus old = m.getStatus();
    KvmMachineStatus s = new KvmMachineStatus();
    long gen = m.getMetadata().getGeneration() == null ? 0 : m.getMetadata().getGeneration();
    s.observedGeneration = gen;
    s.phase = MachinePhase.Pending;
    String msg =
        "spec.nodeName is not set: kvmop does not place machines on nodes yet; set spec.nodeName"
            + " to a node running the kvmop agent";
    s.conditions =
        new Conditions(old == null ? null : old.conditions, gen, clock.instant())
            .set("Scheduled", false, "Unscheduled", msg)
            .set(Conditions.READY, false, "Unscheduled", msg)
            .build();
    return s;
  }

  @Override
  public DeleteControl cleanup(KvmMachine m, Context<KvmMachine> context) {
    if (m.getSpec() == null || !node.equals(m.getSpec().nodeName)) {
      return DeleteControl.defaultDelete();
    }
    var wait = realizer.remove(m);
    if (wait.isPresent()) {
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(wait.get().toMillis());
    }
    events.untrack(ResourceID.fromResource(m));
    transitions.forget(m);
    return DeleteControl.defaultDelete();
  }
}
