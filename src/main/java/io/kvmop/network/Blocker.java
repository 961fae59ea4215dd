package io.kvmop.network;

/**
 * Why a network cannot be (fully) realised: a CamelCase reason for the Ready condition and a
 * message saying what to do.
 */
public record Blocker(String reason, String message) {
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String NAME_CONFLICT = "NameConflict";
  public static final String ADDRESS_CONFLICT = "AddressConflict";
  public static final String IN_USE = "InUse";
  public static final String LIBVIRT_ERROR = "LibvirtError";
}
