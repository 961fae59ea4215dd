package io.kvmop.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds condition lists the kstatus way: one entry per type, observedGeneration on each, and
 * lastTransitionTime kept unless the status really flips.
 */
public final class Conditions {
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String READY = ConditionTypes.READY;

  private final List<Condition> previous;
  private final List<Condition> result = new ArrayList<>();
  private final Long generation;
  private final Instant now;

  public Conditions(List<Condition> previous, Long generation, Instant now) {
    this.previous = previous == null ? List.of() : previous;
    this.generation = generation;
    this.now = now.truncatedTo(ChronoUnit.SECONDS);
  }

  public Conditions set(String type, boolean status, String reason, String message) {
    String s = status ? TRUE : FALSE;
    String since =
        previous.stream()
            .filter(c -> c.getType().equals(type) && s.equals(c.getStatus()))
            .map(Condition::getLastTransitionTime)
            .filter(Objects::nonNull)
            .findFirst()
            .orElse(now.toString());
    result.removeIf(c -> c.getType().equals(type));
    result.add(
        new ConditionBuilder()
            .withType(type)
            .withStatus(s)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(since)
            .build());
    return this;
  }

  /** A condition set so far in this build. */
  public java.util.Optional<Condition> current(String type) {
    return find(result, type);
  }

  public List<Condition> build() {
    return List.copyOf(result);
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return conditions != null
        && conditions.stream()
            .anyMatch(c -> c.getType().equals(type) && TRUE.equals(c.getStatus()));
  }

  public static java.util.Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null
        ? java.util.Optional.empty()
        : conditions.stream().filter(c -> c.getType().equals(type)).findFirst();
  }
}
