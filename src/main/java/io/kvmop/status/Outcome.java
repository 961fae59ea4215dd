package io.kvmop.status;

import java.time.Duration;
import java.util.List;

/**
 * What one pass over a resource decided, the one result type of every controller and of standalone
 * mode: the status to publish, how soon to look again when waiting on something that raises no
 * event, and what kvmop did (each becomes an event).
 *
 * @param status the status to publish (null: this pass has nothing to say)
 * @param recheckAfter null: on the next event only
 * @param <S> the resource's status type
 */
public record Outcome<S>(S status, Duration recheckAfter, List<Happened> happened) {
  public Outcome {
    happened = happened == null ? List.of() : List.copyOf(happened);
  }

  public Outcome(S status, Duration recheckAfter) {
    this(status, recheckAfter, List.of());
  }

  /** The same outcome, looked at again no later than {@code atMost}. */
  public Outcome<S> recheckWithin(Duration atMost) {
    if (atMost == null || (recheckAfter != null && recheckAfter.compareTo(atMost) <= 0)) {
      return this;
    }
    return new Outcome<>(status, atMost, happened);
  }
}
