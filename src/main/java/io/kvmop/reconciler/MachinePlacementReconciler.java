package io.kvmop.reconciler;

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
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.MachinePhase;
import io.kvmop.cluster.ClonePlacement;
import io.kvmop.cluster.Finalizers;
import io.kvmop.cluster.GuardedWrites;
import io.kvmop.cluster.PlacementView;
import io.kvmop.placement.NodeLedger;
import io.kvmop.placement.Placement;
import io.kvmop.status.ConditionTypes;
import io.kvmop.status.Conditions;
import io.kvmop.status.Outcome;
import io.kvmop.status.Progress;
import io.kvmop.status.Reasons;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every KvmMachine exactly one node, as the label {@code kvmop.io/node}: the node its spec
 * names, or the node {@link Placement} chooses; in both cases written by that node's agent, and
 * only when the machine fits there: each agent gives out its own node's capacity through its {@link
 * NodeLedger}, deciding and reserving under the ledger's lock, so a burst of machines or several
 * racing agents never put more on a node than it allows. The label is written guarded by the
 * machine's resourceVersion, so when agents race, one wins and the others see the label and stop:
 * never two nodes. The agents' machine controllers select only machines labelled with their node.
 */
@ControllerConfiguration(name = MachinePlacementReconciler.NAME)
public class MachinePlacementReconciler implements Reconciler<KvmMachine> {
  public static final String NAME = "kvmmachine-placement";
  private static final Logger LOG = LoggerFactory.getLogger(MachinePlacementReconciler.class);
  static final Duration RETRY = Duration.ofSeconds(30);

  /** While this node's capacity is not known yet (its first host report is still to come). */
  static final Duration UNSIZED_RETRY = Duration.ofSeconds(1);

  private final String node;
  private final Clock clock;
  private final StatusPublisher<KvmMachine, KvmMachineStatus> publisher;
  private final NodeLedger ledger;
  private final PlacementView view;
  private InformerEventSource<KvmHost, KvmMachine> hosts;

  /**
   * @param leaseNamespace where the agents' node Leases are: a node whose agent holds none is not
   *     placed on
   */
  public MachinePlacementReconciler(
      String node, String leaseNamespace, Clock clock, NodeLedger ledger) {
    this.node = node;
    this.clock = clock;
    this.publisher = StatusPublisher.quiet();
    this.ledger = ledger;
    this.view = new PlacementView(node, leaseNamespace, ledger, clock);
  }

  /** Only machines without the label: a machine leaves this controller once placed. */
  public static String selector() {
    return "!" + Placement.LABEL;
  }

  @Override
  public List<EventSource<?, KvmMachine>> prepareEventSources(
      EventSourceContext<KvmMachine> context) {
    // a KvmHost that changes (becomes ready, is cordoned, frees capacity) may let machines fit
    hosts =
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
      waiting.remove(m.getMetadata().getUid());
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
    if (UnreadableGuard.stops(
        m, m.getStatus() == null ? null : m.getStatus().conditions, client, clock)) {
      return UpdateControl.noUpdate(); // placed once it can be read: it holds nothing meanwhile
    }
    List<KvmHost> known = hosts.list().toList();
    String declared = m.getSpec() == null ? null : m.getSpec().nodeName;
    if (declared == null && m.getSpec() != null) {
      ClonePlacement.Where clone = ClonePlacement.of(m, client);
      if (clone.waiting() != null) {
        return unschedulable(m, Reasons.SNAPSHOT_NOT_READY, clone.waiting(), client)
            .rescheduleAfter(RETRY);
      }
      declared = clone.node();
    }
    String wanted = declared;
    if (wanted != null) {
      if (known.stream().noneMatch(h -> wanted.equals(h.getMetadata().getName()))) {
        return unschedulable(
            m,
            Reasons.NODE_NOT_FOUND,
            "spec.nodeName "
                + wanted
                + " has no kvmop agent (no KvmHost of that name); run the agent there, or set"
                + " another nodeName, or leave it out to have the machine placed",
            client);
      }
      return wanted.equals(node) ? onThisNode(m, client) : UpdateControl.noUpdate();
    }
    return choose(m, known, client);
  }

  /** spec.nodeName is this node: placed here if it fits, else Unschedulable until it does. */
  private UpdateControl<KvmMachine> onThisNode(KvmMachine m, KubernetesClient client) {
    if (!ledger.sized()) {
      return UpdateControl.<KvmMachine>noUpdate().rescheduleAfter(UNSIZED_RETRY);
    }
    NodeLedger.Claim claim = PlacementView.claim(m.getSpec());
    if (ledger.exceedsNode(claim)) {
      // bigger than the node in all: placed holding nothing, so that the machine controller says
      // what is wrong with the spec (and it never starts)
      placeHere(m, client);
      return UpdateControl.noUpdate();
    }
    ledger.name(m.getMetadata().getUid(), PlacementView.namespacedName(m));
    var refused = ledger.reserve(m.getMetadata().getUid(), claim);
    if (refused.isPresent()) {
      return unschedulable(
              m,
              Reasons.INSUFFICIENT_CAPACITY,
              "spec.nodeName "
                  + node
                  + " has no room: "
                  + refused.get()
                  + "; stop (runStrategy Halted) or delete a machine there, raise the KvmHost's"
                  + " allocation ratios, or choose another node",
              client)
          .rescheduleAfter(RETRY);
    }
    placeHere(m, client);
    return UpdateControl.noUpdate();
  }

  /**
   * With spec.nodeName, the label (and finalizer) only: the machine controller's first status
   * records the decision. A clone is here by its snapshot, not its spec: the decision goes in
   * status first, as placement's always does.
   */
  private void placeHere(KvmMachine m, KubernetesClient client) {
    if (m.getSpec().nodeName == null) {
      label(
          m,
          node,
          Reasons.PLACED,
          "placed on node " + node + ", where the snapshot it clones is",
          client);
    } else {
      labelOnly(m, node, client);
    }
  }

  /** No nodeName: the node that fits best; this agent places only on its own node. */
  private UpdateControl<KvmMachine> choose(
      KvmMachine m, List<KvmHost> known, KubernetesClient client) {
    if (!ledger.sized() && known.stream().anyMatch(h -> h.getMetadata().getName().equals(node))) {
      return UpdateControl.<KvmMachine>noUpdate().rescheduleAfter(UNSIZED_RETRY);
    }
    Placement.Request want = PlacementView.request(m.getSpec());
    boolean needLabels = want.nodeSelector() != null && !want.nodeSelector().isEmpty();
    Placement.Decision d;
    boolean mine;
    view.warm(known, needLabels, client);
    synchronized (ledger) { // decide and reserve in one step: the next decision sees this one
      d = Placement.decide(want, view.candidates(known, needLabels, client));
      mine = d.node().filter(node::equals).isPresent();
      ledger.name(m.getMetadata().getUid(), PlacementView.namespacedName(m));
      if (mine
          && ledger
              .reserve(m.getMetadata().getUid(), PlacementView.claim(m.getSpec()))
              .isPresent()) {
        return UpdateControl.<KvmMachine>noUpdate().rescheduleAfter(UNSIZED_RETRY);
      }
    }
    if (d.node().isEmpty()) {
      return unschedulable(
              m, Reasons.UNSCHEDULABLE, "no node fits this machine: " + d.explain(), client)
          .rescheduleAfter(RETRY);
    }
    if (mine) {
      waiting.remove(m.getMetadata().getUid());
      label(
          m,
          node,
          Reasons.PLACED,
          "placed on node "
              + node
              + ", which fits it best"
              + (d.reasons().isEmpty() ? "" : " (other nodes: " + d.explain() + ")"),
          client);
      return UpdateControl.<KvmMachine>noUpdate().rescheduleAfter(RETRY);
    }
    // another node's agent places it, at once as a rule; one still unplaced a moment later says
    // why, once (agents' views of each other lag: they may name different nodes), never over a
    // placement (a guarded write)
    pruneWaiting();
    java.time.Instant now = clock.instant();
    java.time.Instant seen = waiting.putIfAbsent(m.getMetadata().getUid(), now);
    if (seen == null || seen.plus(OWNER_GRACE).isAfter(now)) {
      return UpdateControl.<KvmMachine>noUpdate().rescheduleAfter(OWNER_GRACE);
    }
    if (m.getStatus() == null
        || Conditions.find(m.getStatus().conditions, ConditionTypes.SCHEDULED).isEmpty()) {
      waitingFor(m, d, client);
    }
    return UpdateControl.<KvmMachine>noUpdate().rescheduleAfter(RETRY);
  }

  /** Scheduled=False (Pending): the node that fits best, whose agent has not placed it yet. */
  private void waitingFor(KvmMachine m, Placement.Decision d, KubernetesClient client) {
    String message =
        "node "
            + d.node().orElseThrow()
            + " fits best; waiting for its kvmop agent to place the machine"
            + (d.reasons().isEmpty() ? "" : " (other nodes: " + d.explain() + ")");
    long gen = m.getMetadata().getGeneration() == null ? 0 : m.getMetadata().getGeneration();
    KvmMachineStatus s =
        m.getStatus() == null
            ? new KvmMachineStatus()
            : io.fabric8.kubernetes.client.utils.Serialization.clone(m.getStatus());
    s.observedGeneration = gen;
    s.phase = MachinePhase.Pending;
    Conditions c =
        new Conditions(s.conditions, gen, clock.instant())
            .set(ConditionTypes.SCHEDULED, false, Reasons.PENDING, message)
            .set(Conditions.READY, false, Reasons.PENDING, message);
    Progress.fromReady(c);
    s.conditions = c.build();
    // empty when placed (or changed) meanwhile: the next event shows it
    publisher.publishInTurn(m, new Outcome<>(s, null), client);
  }

  /** How long another node's agent is given to place a machine before its status says so. */
  static final Duration OWNER_GRACE = Duration.ofSeconds(5);

  private volatile java.time.Instant prunedAt = java.time.Instant.EPOCH;

  /** Forgets, every ten minutes, machines seen waiting that long ago (deleted while unplaced). */
  private void pruneWaiting() {
    java.time.Instant now = clock.instant();
    if (prunedAt.plus(Duration.ofMinutes(10)).isBefore(now)) {
      prunedAt = now;
      waiting.values().removeIf(seen -> seen.plus(Duration.ofMinutes(10)).isBefore(now));
    }
  }

  /** Machines this agent saw another node chosen for, and when: they say so if still unplaced. */
  private final Map<String, java.time.Instant> waiting =
      new java.util.concurrent.ConcurrentHashMap<>();

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
            .set(ConditionTypes.SCHEDULED, true, reason, message)
            .build();
    java.util.Optional<KvmMachine> written;
    try {
      written = publisher.publishInTurn(m, new Outcome<>(s, null), client);
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      ledger.release(m.getMetadata().getUid());
      throw e;
    }
    if (written.isEmpty()) {
      ledger.release(m.getMetadata().getUid());
      return; // another agent placed it first; the next event shows where
    }
    labelOnly(written.get(), target, client);
  }

  /**
   * The label, with the node's machine finalizer in the same patch (one write instead of two: the
   * machine controller then finds its finalizer there), written only if nobody changed the machine
   * since it was read (409 otherwise).
   */
  private void labelOnly(KvmMachine m, String target, KubernetesClient client) {
    Map<String, String> labels =
        new HashMap<>(m.getMetadata().getLabels() == null ? Map.of() : m.getMetadata().getLabels());
    labels.put(Placement.LABEL, target);
    List<String> finalizers =
        new ArrayList<>(
            m.getMetadata().getFinalizers() == null ? List.of() : m.getMetadata().getFinalizers());
    String finalizer = Finalizers.machine(target);
    if (!finalizers.contains(finalizer) && m.getMetadata().getDeletionTimestamp() == null) {
      finalizers.add(finalizer);
    }
    if (GuardedWrites.patchIfUnchanged(
        client, m, Map.of("/metadata/labels", labels, "/metadata/finalizers", finalizers))) {
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
    s.request = old == null ? null : old.request;
    Conditions c =
        new Conditions(old == null ? null : old.conditions, gen, clock.instant())
            .set(ConditionTypes.SCHEDULED, false, reason, message)
            .set(Conditions.READY, false, reason, message);
    Progress.fromReady(c);
    s.conditions = c.build();
    return publisher.publishUncached(m, new Outcome<>(s, null), client);
  }
}
