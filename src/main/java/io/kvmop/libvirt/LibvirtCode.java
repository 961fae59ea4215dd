package io.kvmop.libvirt;

/**
 * The libvirt error codes kvmop decides on (virErrorNumber, as libvirt names them without the
 * {@code VIR_ERR_} prefix); every other code is {@link #OTHER}. A {@link LibvirtError} keeps the
 * exact code libvirt gave as text too, for the condition that reports it.
 */
public enum LibvirtCode {
  NO_DOMAIN,
  NO_NETWORK,
  NO_STORAGE_POOL,
  NO_STORAGE_VOL,
  NO_SECRET,
  INVALID_ARG,
  OPERATION_INVALID,
  OPERATION_FAILED,
  OPERATION_UNSUPPORTED,
  OPERATION_TIMEOUT,
  NO_SUPPORT,
  CONFIG_UNSUPPORTED,
  SYSTEM_ERROR,
  INTERNAL_ERROR,
  NO_CONNECT,
  AUTH_FAILED,
  RPC,
  UNKNOWN,
  OTHER;

  private static final String PREFIX = "VIR_ERR_";

  /** The code of libvirt's name for it (VIR_ERR_NO_DOMAIN), OTHER for one kvmop does not act on. */
  public static LibvirtCode of(String libvirtName) {
    if (libvirtName == null) {
      return UNKNOWN;
    }
    String n = libvirtName.startsWith(PREFIX) ? libvirtName.substring(PREFIX.length()) : "";
    for (LibvirtCode c : values()) {
      if (c != OTHER && c.name().equals(n)) {
        return c;
      }
    }
    return OTHER;
  }

  /** libvirt's name of the code (VIR_ERR_NO_DOMAIN). */
  public String libvirtName() {
    return PREFIX + name();
  }
}
