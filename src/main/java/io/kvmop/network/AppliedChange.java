package io.kvmop.network;

/**
 * A change kvmop applied to a running network, reported as the Ready condition's reason until the
 * next generation: {@code Restarted} (the change needed a restart and no guest was attached) or
 * {@code UpdatedLive} (applied in place, nothing interrupted).
 */
public record AppliedChange(String reason, String message) {
  public static final String RESTARTED = "Restarted";
  public static final String UPDATED_LIVE = "UpdatedLive";
}
