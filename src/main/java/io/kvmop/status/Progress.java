package io.kvmop.status;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.Set;

/**
 * kstatus's two abnormal-true conditions, derived from Ready: {@code Reconciling} while kvmop is
 * still working towards what is declared (starting, waiting for an address, a download, room on a
 * node, another node), {@code Stalled} when it cannot get there without a human changing something
 * (the reason says what). Neither is present once Ready is True, so {@code kubectl wait}, kstatus
 * (Flux, kpt, cli-utils) and Argo CD all read the same three answers: current, in progress, failed.
 */
public final class Progress {
  public static final String RECONCILING = ConditionTypes.RECONCILING;
  public static final String STALLED = ConditionTypes.STALLED;

  /** Ready=False reasons that no amount of waiting fixes: the spec or the node must change. */
  public static final Set<String> NEEDS_HUMAN =
      Set.of(
          Reasons.INVALID_SPEC,
          Reasons.UNREADABLE,
          Reasons.NAME_CONFLICT,
          Reasons.ADDRESS_CONFLICT,
          Reasons.KVM_UNAVAILABLE,
          Reasons.INVALID_IMAGE,
          Reasons.INVALID_IMAGE_URL,
          Reasons.IMAGE_PATH_REFUSED,
          Reasons.IMAGE_URL_REFUSED,
          Reasons.IMAGE_CHECKSUM_MISMATCH,
          Reasons.IMAGE_TOO_LARGE,
          Reasons.BOOT_PATH_REFUSED,
          Reasons.NETWORK_NOT_PERMITTED,
          Reasons.STORAGE_POOL_CONFLICT,
          Reasons.STORAGE_NOT_FOUND,
          Reasons.STORAGE_NOT_ALLOWED,
          Reasons.CEPH_KEY_NOT_FOUND,
          Reasons.RBD_IMAGE_CONFLICT,
          Reasons.DISK_SHRINK_REFUSED,
          Reasons.DISK_CHANGE_REFUSED,
          Reasons.DEV_KVM_PERMISSION_DENIED,
          Reasons.KVM_MODULES_MISSING,
          Reasons.LIBVIRT_PERMISSION_DENIED,
          Reasons.DYNAMIC_OWNERSHIP_FAILED,
          Reasons.NODE_NOT_FOUND,
          Reasons.SNAPSHOT_UNSUPPORTED,
          Reasons.SNAPSHOT_LOST,
          Reasons.SNAPSHOT_ON_OTHER_NODE);

  private Progress() {}

  /** Sets Reconciling or Stalled (or neither) from the Ready condition already set in {@code c}. */
  public static void fromReady(Conditions c) {
    Condition ready = c.current(Conditions.READY).orElse(null);
    if (ready == null || Conditions.TRUE.equals(ready.getStatus())) {
      return;
    }
    boolean stalled = NEEDS_HUMAN.contains(ready.getReason());
    c.set(stalled ? STALLED : RECONCILING, true, ready.getReason(), ready.getMessage());
  }
}
