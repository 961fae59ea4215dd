package io.kvmop.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.kvmop.cluster.GuardedWrites;
import io.kvmop.status.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Publishes what one pass decided, the same way for every controller: the events of what kvmop did,
 * the events of condition transitions, the metrics, the status write and when to look again. The
 * write depends on who else writes that status:
 *
 * <ul>
 *   <li>{@link #publish} — this agent alone (machines, hosts, snapshots, restores): replaced whole
 *       when it changed;
 *   <li>{@link #publishShared} — every agent its own part (a network's per-node entries): merged
 *       into the latest copy, again after a conflict, so that nobody's part is lost;
 *   <li>{@link #publishInTurn} — agents in turn (a migration's source and target, placement):
 *       written only if nobody wrote since the pass read it; else the pass is run again soon.
 * </ul>
 *
 * @param <R> the resource
 * @param <S> its status
 */
final class StatusPublisher<R extends CustomResource<?, S>, S> {
  /** How soon a pass whose status lost a race (409) runs again. */
  static final Duration CONFLICT_RETRY = Duration.ofMillis(200);

  private final StatusWriter writer;
  private final TransitionEvents transitions;
  private final Function<S, List<Condition>> conditions;
  private final BiConsumer<R, S> observers;

  private StatusPublisher(
      StatusWriter writer,
      TransitionEvents transitions,
      Function<S, List<Condition>> conditions,
      BiConsumer<R, S> observers) {
    this.writer = writer;
    this.transitions = transitions;
    this.conditions = conditions;
    this.observers = observers;
  }

  /**
   * @param conditions where a status keeps its conditions
   */
  StatusPublisher(TransitionEvents transitions, Function<S, List<Condition>> conditions) {
    this(new StatusWriter(), transitions, conditions, (r, s) -> {});
  }

  /**
   * A publisher that raises no events: for placement, which every agent runs over every machine
   * (the machine's own node reports its conditions; events here would be remembered per machine by
   * every agent, for machines it never runs).
   */
  static <R extends CustomResource<?, S>, S> StatusPublisher<R, S> quiet() {
    return new StatusPublisher<>(new StatusWriter(), null, s -> List.of(), (r, s) -> {});
  }

  /** The same publisher, also telling {@code observer} each status before it is written. */
  StatusPublisher<R, S> observedBy(BiConsumer<R, S> observer) {
    return new StatusPublisher<>(writer, transitions, conditions, observers.andThen(observer));
  }

  TransitionEvents transitions() {
    return transitions;
  }

  /**
   * A status only this agent writes. The resource as written goes into the controller's cache
   * (JOSDK's temporary resource cache, until the informer has it too): the next pass reads this
   * agent's own last status, never an older copy.
   */
  UpdateControl<R> publish(R r, Outcome<S> o, Context<R> context) {
    KubernetesClient client = context.getClient();
    announce(r, o, client);
    if (o.status() == null) {
      return reschedule(UpdateControl.noUpdate(), o.recheckAfter());
    }
    observers.accept(r, o.status());
    writer
        .write(r, o.status(), client)
        .ifPresent(
            written ->
                context
                    .eventSourceRetriever()
                    .getControllerEventSource()
                    .handleRecentResourceUpdate(ResourceID.fromResource(r), written, r));
    return reschedule(UpdateControl.noUpdate(), o.recheckAfter());
  }

  /**
   * A status only this agent writes, outside the controller's cache: placement's verdict on a
   * machine no node has yet, written by whichever agent looks (the next pass may read the older
   * copy; it decides the same).
   */
  UpdateControl<R> publishUncached(R r, Outcome<S> o, KubernetesClient client) {
    announce(r, o, client);
    if (o.status() != null) {
      observers.accept(r, o.status());
      writer.write(r, o.status(), client);
    }
    return reschedule(UpdateControl.noUpdate(), o.recheckAfter());
  }

  /**
   * A status every agent writes a part of: {@code merge} puts this agent's part into a copy (the
   * one at hand, then the latest after a conflict). {@code o.status()} is the merge into the copy
   * at hand, for the events.
   */
  UpdateControl<R> publishShared(R r, Outcome<S> o, Function<R, S> merge, KubernetesClient client) {
    announce(r, o, client);
    if (o.status() != null) {
      observers.accept(r, o.status());
    }
    writer.writeShared(r, merge, client);
    return reschedule(UpdateControl.noUpdate(), o.recheckAfter());
  }

  /**
   * A status agents write in turn: written only if nobody wrote {@code r} since this pass read it.
   * On such a conflict nothing is announced and the pass runs again after {@link #CONFLICT_RETRY}.
   *
   * @return the resource as written (or {@code r} when its status already was so); empty after a
   *     conflict
   */
  Optional<R> publishInTurn(R r, Outcome<S> o, KubernetesClient client) {
    R written = r;
    if (o.status() != null && !StatusWriter.same(r.getStatus(), o.status())) {
      Optional<R> done = GuardedWrites.statusIfUnchanged(client, r, "/status", o.status());
      if (done.isEmpty()) {
        return done;
      }
      observers.accept(r, o.status());
      written = done.get();
    }
    announce(r, o, client);
    return Optional.of(written);
  }

  /** The reconcile's answer after {@link #publishInTurn}. */
  UpdateControl<R> inTurnAnswer(boolean written, Outcome<S> o) {
    return written
        ? reschedule(UpdateControl.noUpdate(), o == null ? null : o.recheckAfter())
        : reschedule(UpdateControl.noUpdate(), CONFLICT_RETRY);
  }

  /** The events: what kvmop did, then the conditions that changed. */
  private void announce(R r, Outcome<S> o, KubernetesClient client) {
    if (transitions == null) {
      return;
    }
    o.happened().forEach(h -> transitions.did(client, r, h.reason(), h.message()));
    if (o.status() != null) {
      transitions.record(
          client,
          r,
          r.getStatus() == null ? List.of() : conditions.apply(r.getStatus()),
          conditions.apply(o.status()));
    }
  }

  static <R extends CustomResource<?, ?>> UpdateControl<R> reschedule(
      UpdateControl<R> control, Duration after) {
    return after == null ? control : control.rescheduleAfter(after);
  }
}
