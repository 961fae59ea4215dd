package io.kvmop.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.api.Unreadable;
import io.kvmop.status.Conditions;
import io.kvmop.status.Progress;
import io.kvmop.status.Reasons;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Stops a controller at an object with fields this agent could not read (a newer CRD's value, a
 * wrong type): Ready=False with reason Unreadable naming each field and value, written as a merge
 * patch of status.conditions alone, so that nothing else the status holds (a phase, a node, what a
 * migration or snapshot did) is lost; the controller then does nothing else with the object.
 */
final class UnreadableGuard {
  private UnreadableGuard() {}

  /**
   * True when {@code r} could not be read whole: its Ready condition then says so (written when it
   * did not already).
   */
  static boolean stops(
      CustomResource<?, ?> r, List<Condition> current, KubernetesClient client, Clock clock) {
    List<String> problems = Unreadable.problems(r);
    if (problems.isEmpty()) {
      return false;
    }
    String message = String.join("; ", problems);
    var ready = current == null ? null : Conditions.find(current, Conditions.READY).orElse(null);
    if (ready != null
        && Reasons.UNREADABLE.equals(ready.getReason())
        && Objects.equals(message, ready.getMessage())) {
      return true;
    }
    Conditions c = said(r, problems, current, clock);
    try {
      client
          .resource(r)
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              Serialization.asJson(Map.of("status", Map.of("conditions", c.build()))));
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e; // retried by the controller; a deleted object needs no status
      }
    }
    return true;
  }

  /** {@code current} with Ready=False Unreadable naming {@code problems} (and kstatus's). */
  static Conditions said(
      CustomResource<?, ?> r, List<String> problems, List<Condition> current, Clock clock) {
    Conditions c = new Conditions(current, r.getMetadata().getGeneration(), clock.instant());
    c.set(Conditions.READY, false, Reasons.UNREADABLE, String.join("; ", problems));
    Progress.fromReady(c);
    return c;
  }
}
