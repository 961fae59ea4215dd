package io.kvmop.reconciler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.MachinePhase;
import io.kvmop.api.Quantities;
import io.kvmop.api.VirtType;
import io.kvmop.placement.Placement;
import io.kvmop.status.Conditions;
import io.kvmop.status.Reasons;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every KvmMachine exactly one node, as the label {@code kvmop.io/node}: the node its spec
 * names (written by that node's agent), or the node {@link Placement} chooses (written by the
 * chosen node's agent). The label is written guarded by the machine's resourceVersion, so when
 * agents race, one wins and the others see the label and stop: never two nodes. The agents' machine
 * controllers select only machines labelled with their node.
 */
@ControllerConfiguration(name = MachinePlacementReconciler.NAME)
public class MachinePlacementReconciler implements Reconciler<KvmMachine> {
  public static final String NAME = "kvmmachine-placement";
  private static final Logger LOG = LoggerFactory.getLogger(MachinePlacementReconciler.class);
  static final Duration RETRY = Duration.ofSeconds(30);

  private final String node;
  private final Clock clock;
  private final StatusWriter statusWriter;

  public MachinePlacementReconciler(String node, boolean serverSideApply, Clock clock) {
    this.node = node;
    this.clock = clock;
    this.statusWriter = new StatusWriter(serverSideApply);
  }

  /** Only machines without the label: a machine leaves this controller once placed. */
  public static String selector() {
    return "!" + Placement.LABEL;
  }

  @Override
  public List<EventSource<?, KvmMachine>> prepareEventSources(
      EventSourceContext<KvmMachine> context) {
    // a KvmHost that changes (becomes ready, is cordoned, frees capacity) may let machines fit
    var hosts =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(KvmHost.class, KvmMachine.class)
                .withSecondaryToPrimaryMapper(
                    (KvmHost h) ->
                        context
                            .getPrimaryCache()
                            .list()
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper((KvmMachine m) -> java.util.Set.<ResourceID>of())
                .build(),
            context);
    return List.of(hosts);
  }

  @Override
  public UpdateControl<KvmMachine> reconcile(KvmMachine m, Context<KvmMachine> context) {
    KubernetesClient client = context.getClient();
    if (m.getMetadata().getLabels() != null
        && m.getMetadata().getLabels().containsKey(Placement.LABEL)) {
      return UpdateControl.noUpdate();
    }
    String decided = m.getStatus() == null ? null : m.getStatus().nodeName;
    if (decided != null) {
      // placed before (the label was lost, or removed by hand): the machine stays where it is
      if (decided.equals(node)) {
        labelOnly(m, node, client);
      }
      return UpdateControl.noUpdate();
    }
    List<KvmHost> hosts = client.resources(KvmHost.class).list().getItems();
    String wanted = m.getSpec() == null ? null : m.getSpec().nodeName;
    if (wanted != null) {
      if (hosts.stream().noneMatch(h -> wanted.equals(h.getMetadata().getName()))) {
        return unschedulable(
            m,
            Reasons.NODE_NOT_FOUND,
            "spec.nodeName "
                + wanted
                + " has no kvmop agent (no KvmHost of that name); run the agent there, or set"
                + " another nodeName, or leave it out to have the machine placed",
            client);
      }
      if (wanted.equals(node)) {
        label(m, node, Reasons.NODE_NAME, "on node " + node + ", as spec.nodeName says", client);
      }
      return UpdateControl.noUpdate();
    }
    Placement.Decision d = Placement.decide(request(m.getSpec()), candidates(hosts, client));
    if (d.node().isEmpty()) {
      return unschedulable(
              m, Reasons.UNSCHEDULABLE, "no node fits this machine: " + d.explain(), client)
          .rescheduleAfter(RETRY);
    }
    if (d.node().get().equals(node)) {
      label(m, node, Reasons.PLACED, "placed on node " + node + ": " + d.explain(), client);
    }
    return UpdateControl.<KvmMachine>noUpdate().rescheduleAfter(RETRY);
  }

  static Placement.Request request(KvmMachineSpec spec) {
    return new Placement.Request(
        spec.cpuOrDefault().vcpus(),
        Quantities.kib(spec.memory).orElse(0L),
        spec.nodeSelector,
        spec.virtTypeOrDefault() == VirtType.KVM);
  }

  private List<Placement.Candidate> candidates(List<KvmHost> hosts, KubernetesClient client) {
    Map<String, int[]> cpus = new HashMap<>();
    Map<String, Long> memory = new HashMap<>();
    for (KvmMachine placed :
        client
            .resources(KvmMachine.class)
            .inAnyNamespace()
            .withLabel(Placement.LABEL)
            .list()
            .getItems()) {
      String on = placed.getMetadata().getLabels().get(Placement.LABEL);
      cpus.computeIfAbsent(on, k -> new int[1])[0] += placed.getSpec().cpuOrDefault().vcpus();
      memory.merge(on, Quantities.kib(placed.getSpec().memory).orElse(0L), Long::sum);
    }
    List<Placement.Candidate> out = new ArrayList<>();
    for (KvmHost h : hosts) {
      String name = h.getMetadata().getName();
      var s = h.getStatus();
      Node n = client.nodes().withName(name).get();
      out.add(
          new Placement.Candidate(
              name,
              n == null || n.getMetadata().getLabels() == null
                  ? Map.of()
                  : n.getMetadata().getLabels(),
              s != null && Conditions.isTrue(s.conditions, Conditions.READY),
              h.getSpec() != null && Boolean.TRUE.equals(h.getSpec().cordoned),
              s != null && s.kvm != null && Boolean.TRUE.equals(s.kvm.usable),
              s == null || s.capacity == null || s.capacity.cpus == null ? 0 : s.capacity.cpus,
              s == null || s.capacity == null ? 0 : Quantities.kib(s.capacity.memory).orElse(0L),
              cpus.getOrDefault(name, new int[1])[0],
              memory.getOrDefault(name, 0L)));
    }
    return out;
  }

  /**
   * Places a machine in two guarded steps: first the decision in status (status.nodeName and
   * Scheduled, which tenants cannot write, so a label they set by hand never counts), then the
   * label the node's machine controller selects by. Each step is written only if nobody changed the
   * machine since it was read (409 otherwise): when agents race, one wins the first step and the
   * others stop. Killed in between, the next pass finds the decision and writes the label.
   */
  private void label(
      KvmMachine m, String target, String reason, String message, KubernetesClient client) {
    KvmMachineStatus s =
        m.getStatus() == null
            ? new KvmMachineStatus()
            : io.fabric8.kubernetes.client.utils.Serialization.clone(m.getStatus());
    long gen = m.getMetadata().getGeneration() == null ? 0 : m.getMetadata().getGeneration();
    s.nodeName = target;
    s.conditions =
        new Conditions(s.conditions, gen, clock.instant())
            .set("Scheduled", true, reason, message)
            .build();
    KvmMachine written;
    try {
      written =
          client
              .resource(m)
              .subresource("status")
              .patch(
                  io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                      io.fabric8.kubernetes.client.dsl.base.PatchType.JSON),
                  StatusWriter.guardedPatch(m, s));
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      return; // another agent placed it first; the next event shows where
    }
    labelOnly(written, target, client);
  }

  /** The label, written only if nobody changed the machine since it was read (409 otherwise). */
  private void labelOnly(KvmMachine m, String target, KubernetesClient client) {
    Map<String, String> labels =
        new HashMap<>(m.getMetadata().getLabels() == null ? Map.of() : m.getMetadata().getLabels());
    labels.put(Placement.LABEL, target);
    if (StatusWriter.patchIfUnchanged(client, m, "/metadata/labels", labels)) {
      LOG.info(
          "placed machine {}/{} on node {}",
          m.getMetadata().getNamespace(),
          m.getMetadata().getName(),
          target);
    }
    // else another agent wrote first; the next event shows what it wrote
  }

  private UpdateControl<KvmMachine> unschedulable(
      KvmMachine m, String reason, String message, KubernetesClient client) {
    KvmMachineStatus old = m.getStatus();
    long gen = m.getMetadata().getGeneration() == null ? 0 : m.getMetadata().getGeneration();
    KvmMachineStatus s = new KvmMachineStatus();
    s.observedGeneration = gen;
    s.phase = MachinePhase.Pending;
    s.conditions =
        new Conditions(old == null ? null : old.conditions, gen, clock.instant())
            .set("Scheduled", false, reason, message)
            .set(Conditions.READY, false, reason, message)
            .build();
    return statusWriter.write(m, s, client);
  }

  /** The node a machine is placed on, if any. */
  public static Optional<String> placedOn(KvmMachine m) {
    return Optional.ofNullable(m.getMetadata().getLabels()).map(l -> l.get(Placement.LABEL));
  }
}
