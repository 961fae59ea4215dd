package io.kvmop.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.KvmMachineMigrationStatus;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.MigrationPhase;
import io.kvmop.api.Quantities;
import io.kvmop.cluster.ClusterSecrets;
import io.kvmop.cluster.MachineHandover;
import io.kvmop.cluster.PlacementView;
import io.kvmop.libvirt.MigrationPort;
import io.kvmop.machine.MachineNaming;
import io.kvmop.machine.NetworkBindings;
import io.kvmop.machine.NodePolicy;
import io.kvmop.migration.MigrationOutcome;
import io.kvmop.migration.MigrationStatuses;
import io.kvmop.migration.SourceSide;
import io.kvmop.migration.TargetSide;
import io.kvmop.placement.NodeLedger;
import io.kvmop.placement.Placement;
import io.kvmop.status.Outcome;
import io.kvmop.status.Reasons;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * JOSDK glue for KvmMachineMigrations, on every agent: the machine's node acts as the source and
 * the chosen node as the target ({@link SourceSide}, {@link TargetSide} do the work); here the
 * migration's status is written guarded by its resourceVersion (the two agents write it in turn),
 * and the machine resource is changed before the status that relies on it.
 */
@ControllerConfiguration(name = KvmMigrationReconciler.NAME)
public class KvmMigrationReconciler implements Reconciler<KvmMachineMigration> {
  public static final String NAME = "kvmmachinemigration";

  /** A guarded write lost to the other agent's: looked at again at once with the latest. */
  private final String node;

  private final SourceSide source;
  private final TargetSide target;
  private final NodeLedger ledger;
  private final PlacementView view;
  private final TransitionEvents transitions;
  private final StatusPublisher<KvmMachineMigration, KvmMachineMigrationStatus> publisher;
  private final MachineHandover handover;
  private final Clock clock;

  public KvmMigrationReconciler(
      String node,
      String leaseNamespace,
      SourceSide source,
      TargetSide target,
      NodeLedger ledger,
      Clock clock) {
    this.node = node;
    this.source = source;
    this.target = target;
    this.ledger = ledger;
    this.view = new PlacementView(node, leaseNamespace, ledger, clock);
    this.transitions = new TransitionEvents(node, clock);
    this.publisher = new StatusPublisher<>(transitions, s -> s.conditions);
    this.handover = new MachineHandover(ledger);
    this.clock = clock;
  }

  @Override
  public UpdateControl<KvmMachineMigration> reconcile(
      KvmMachineMigration mig, Context<KvmMachineMigration> context) {
    if (UnreadableGuard.stops(
        mig,
        mig.getStatus() == null ? null : mig.getStatus().conditions,
        context.getClient(),
        clock)) {
      return UpdateControl.noUpdate();
    }
    if (mig.getSpec() == null || mig.getSpec().machine == null) {
      return UpdateControl.noUpdate();
    }
    KubernetesClient client = context.getClient();
    KvmMachine m =
        client
            .resources(KvmMachine.class)
            .inNamespace(mig.getMetadata().getNamespace())
            .withName(mig.getSpec().machine)
            .get();
    KvmMachineMigrationStatus st = mig.getStatus();
    MigrationPhase phase = st == null ? null : st.phase;
    if (st != null && st.machineUid != null && m != null && !st.machineUid.equals(uid(m))) {
      m = null; // a new machine of the same name is not the one this migration moves
    }
    boolean isSource = st != null && node.equals(st.sourceNode);
    boolean isTarget = st != null && node.equals(st.targetNode);
    MigrationOutcome o;
    if (MigrationStatuses.finished(mig)) {
      o = isTarget ? target.after(mig, m) : MigrationOutcome.nothing(null);
    } else if (phase == null || MigrationPhase.Pending == phase) {
      o = pending(mig, m, context);
    } else if (m == null && !(isSource && MigrationPhase.Migrating == phase)) {
      o = isSource || isTarget ? machineGone(mig) : MigrationOutcome.nothing(null);
    } else if (MigrationPhase.Preparing == phase) {
      o = isTarget ? prepare(mig, m, client) : MigrationOutcome.nothing(null);
    } else if (isTarget
        && (MigrationPhase.Prepared == phase || MigrationPhase.Migrating == phase)
        && view.silent(client, st.sourceNode)) {
      o = target.sourceSilent(mig, m); // nobody else will finish it
    } else if (MigrationPhase.Prepared == phase) {
      o =
          isSource
              ? source.copy(mig, m)
              : isTarget
                  ? target.await(mig, m, PlacementView.claim(m.getSpec()))
                  : MigrationOutcome.nothing(null);
    } else if (MigrationPhase.Migrating == phase) {
      o =
          isSource
              ? source.follow(mig, m)
              : isTarget
                  ? target.await(mig, m, PlacementView.claim(m.getSpec()))
                  : MigrationOutcome.nothing(null);
    } else {
      o = MigrationOutcome.nothing(null);
    }
    return apply(mig, m, o, client);
  }

  /** Pending: only the machine's node acts (any agent says when there is no machine). */
  private MigrationOutcome pending(
      KvmMachineMigration mig, KvmMachine m, Context<KvmMachineMigration> context) {
    KubernetesClient client = context.getClient();
    java.time.Instant now = clock.instant();
    if (m == null) {
      return new MigrationOutcome(
          failedStatus(
              mig,
              Reasons.MACHINE_NOT_FOUND,
              "KvmMachine "
                  + mig.getSpec().machine
                  + " not found in namespace "
                  + mig.getMetadata().getNamespace(),
              now),
          MigrationOutcome.MachineChange.NONE,
          false,
          null,
          List.of());
    }
    String placed = Placement.placedOn(m).orElse(null);
    if (!node.equals(placed)) {
      return MigrationOutcome.nothing(null); // its node's agent decides (or placement is still to)
    }
    List<KvmHost> hosts = client.resources(KvmHost.class).list().getItems();
    return source.start(
        mig,
        m,
        MachineNaming.of(m.getMetadata().getNamespace(), m.getMetadata().getName(), uid(m), "/")
            .domainName(),
        busy(mig, context.getPrimaryCache().list(mig.getMetadata().getNamespace())),
        hosts,
        PlacementView.request(m.getSpec()),
        hs ->
            view.candidates(
                hs,
                m.getSpec().nodeSelector != null && !m.getSpec().nodeSelector.isEmpty(),
                client));
  }

  /**
   * Another migration of the same machine that has not finished, created before this one (from the
   * controller's cache of its namespace's migrations).
   */
  private static String busy(
      KvmMachineMigration mig, java.util.stream.Stream<KvmMachineMigration> inNamespace) {
    return inNamespace
        .filter(o -> !o.getMetadata().getUid().equals(mig.getMetadata().getUid()))
        .filter(o -> o.getSpec() != null && mig.getSpec().machine.equals(o.getSpec().machine))
        .filter(o -> !MigrationStatuses.finished(o))
        .filter(
            o ->
                o.getStatus() != null && o.getStatus().phase != null
                    || o.getMetadata()
                            .getCreationTimestamp()
                            .compareTo(mig.getMetadata().getCreationTimestamp())
                        < 0)
        .map(o -> o.getMetadata().getName())
        .findFirst()
        .orElse(null);
  }

  private MigrationOutcome prepare(KvmMachineMigration mig, KvmMachine m, KubernetesClient client) {
    String ns = m.getMetadata().getNamespace();
    if (!mig.getStatus().sourceNode.equals(Placement.placedOn(m).orElse(null))) {
      return new MigrationOutcome(
          failedStatus(
              mig,
              Reasons.MIGRATION_FAILED,
              "the machine is no longer on node " + mig.getStatus().sourceNode,
              clock.instant()),
          MigrationOutcome.MachineChange.NONE,
          false,
          null,
          List.of());
    }
    Map<String, KvmNetwork> networks =
        client.resources(KvmNetwork.class).inNamespace(ns).list().getItems().stream()
            .collect(
                Collectors.toMap(n -> n.getMetadata().getName(), Function.identity(), (a, b) -> a));
    KvmHost here = client.resources(KvmHost.class).withName(node).get();
    return target.prepare(
        mig,
        m,
        PlacementView.claim(m.getSpec()),
        NetworkBindings.resolve(m, networks, node),
        NodePolicy.of(here == null ? null : here.getSpec()),
        ClusterSecrets.of(client));
  }

  private MigrationOutcome machineGone(KvmMachineMigration mig) {
    return new MigrationOutcome(
        failedStatus(
            mig,
            Reasons.MACHINE_NOT_FOUND,
            "machine " + mig.getSpec().machine + " was deleted",
            clock.instant()),
        MigrationOutcome.MachineChange.NONE,
        false,
        null,
        List.of());
  }

  private static KvmMachineMigrationStatus failedStatus(
      KvmMachineMigration mig, String reason, String message, java.time.Instant now) {
    return MigrationStatuses.failed(mig, reason, message, now);
  }

  /** The machine first, then the migration's status, then the copy; events last. */
  private UpdateControl<KvmMachineMigration> apply(
      KvmMachineMigration mig, KvmMachine m, MigrationOutcome o, KubernetesClient client) {
    KvmMachineMigrationStatus next = o.status();
    java.util.Optional<MigrationPort.Request> request = java.util.Optional.empty();
    if (o.startCopy() && next != null) {
      request =
          SourceSide.request(mig, client.resources(KvmHost.class).withName(next.targetNode).get());
      if (request.isEmpty()) {
        next =
            failedStatus(
                mig,
                Reasons.TARGET_NOT_READY,
                "node "
                    + next.targetNode
                    + " no longer publishes a usable migration endpoint (KvmHost"
                    + " status.migration)",
                clock.instant());
        o =
            new MigrationOutcome(
                next,
                MigrationOutcome.MachineChange.DROP_TARGET_FINALIZER,
                false,
                null,
                o.happened());
      }
    }
    if (m != null && !handover.change(mig, m, o.change(), client)) {
      return publisher.inTurnAnswer(false, null);
    }
    Outcome<KvmMachineMigrationStatus> published =
        new Outcome<>(next, o.recheckAfter(), o.happened());
    if (publisher.publishInTurn(mig, published, client).isEmpty()) {
      return publisher.inTurnAnswer(false, published);
    }
    if (next != null) {
      progressEvent(mig, next, client);
    }
    if (o.startCopy() && next != null) {
      source.runner().start(next.domain, request.orElseThrow());
      transitions.did(
          client,
          mig,
          Reasons.MIGRATING,
          "copying machine "
              + mig.getSpec().machine
              + " from node "
              + node
              + " to node "
              + next.targetNode
              + " (attempt "
              + next.attempts
              + ")");
    }
    if (m != null && o.change() == MigrationOutcome.MachineChange.HAND_OVER) {
      o.happened().stream()
          .filter(h -> Reasons.MIGRATED.equals(h.reason()))
          .forEach(h -> transitions.did(client, m, h.reason(), h.message()));
    }
    return publisher.inTurnAnswer(true, published);
  }

  /** An event each time libvirt starts another pass over the guest's memory. */
  private void progressEvent(
      KvmMachineMigration mig, KvmMachineMigrationStatus next, KubernetesClient client) {
    var was = mig.getStatus() == null ? null : mig.getStatus().progress;
    var now = next.progress;
    if (now == null || now.iteration == null || now.iteration == 0) {
      return;
    }
    if (was != null
        && now.iteration.equals(was.iteration)
        && java.util.Objects.equals(now.mode, was.mode)) {
      return;
    }
    transitions.did(
        client,
        mig,
        "MigrationProgress",
        "pass "
            + now.iteration
            + " over memory ("
            + now.mode
            + "): "
            + now.dataRemaining
            + " of "
            + Quantities.human(now.dataTotalBytes == null ? 0 : now.dataTotalBytes)
            + " left, memory dirtied at "
            + Quantities.human(now.memoryDirtyRateBytes == null ? 0 : now.memoryDirtyRateBytes)
            + "/s, expected downtime "
            + now.downtimeMillis
            + " ms");
  }

  private static String uid(KvmMachine m) {
    return m.getMetadata().getUid();
  }
}
