package io.kvmop.status;

/**
 * Why a network cannot be (fully) realised: a CamelCase reason for the Ready condition and a
 * message saying what to do.
 */
public record Blocker(String reason, String message) {

  /** A bug met while reconciling {@code what}: it ends in status, not only in the log. */
  public static Blocker internalError(String what, RuntimeException e) {
    return new Blocker(
        Reasons.INTERNAL_ERROR,
        "kvmop failed while reconciling this "
            + what
            + " ("
            + e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : ": " + e.getMessage())
            + "); it will try again; the agent's log has the details");
  }
}
