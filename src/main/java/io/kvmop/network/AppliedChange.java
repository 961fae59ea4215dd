package io.kvmop.network;

import io.kvmop.status.Reasons;

/**
 * A change kvmop applied to a running network, reported as the Ready condition's reason until the
 * next generation: {@code Restarted} (the change needed a restart and no guest was attached) or
 * {@code UpdatedLive} (applied in place, nothing interrupted).
 */
public record AppliedChange(String reason, String message) {
  public static final String RESTARTED = Reasons.RESTARTED;
  public static final String UPDATED_LIVE = Reasons.UPDATED_LIVE;
}
