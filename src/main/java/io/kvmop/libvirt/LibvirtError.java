package io.kvmop.libvirt;

import org.libvirt.Error;
import org.libvirt.LibvirtException;

/**
 * A failed libvirt call, keeping libvirt's error code (e.g. VIR_ERR_NO_NETWORK) and message so
 * status can say what failed and what to do.
 */
public class LibvirtError extends RuntimeException {
  private final String operation;
  private final String code;
  private final String errorDomain;
  private final String libvirtMessage;

  public LibvirtError(String operation, String code, String errorDomain, String libvirtMessage) {
    super(operation + ": " + code + ": " + libvirtMessage);
    this.operation = operation;
    this.code = code;
    this.errorDomain = errorDomain;
    this.libvirtMessage = libvirtMessage;
  }

  static LibvirtError of(String operation, Error err) {
    String code = err.getCode() == null ? "VIR_ERR_UNKNOWN" : err.getCode().name();
    String domain = err.getDomain() == null ? "" : err.getDomain().name();
    return new LibvirtError(operation, code, domain, err.getMessage());
  }

  static LibvirtError of(String operation, LibvirtException e) {
    Error err = e.getError();
    String code = err == null || err.getCode() == null ? "VIR_ERR_UNKNOWN" : err.getCode().name();
    String domain = err == null || err.getDomain() == null ? "" : err.getDomain().name();
    String message = err == null ? e.getMessage() : err.getMessage();
    LibvirtError result = new LibvirtError(operation, code, domain, message);
    result.initCause(e);
    return result;
  }

  /** What kvmop was doing, e.g. "start network kvmop-default-lab-3f2a". */
  public String operation() {
    return operation;
  }

  /** libvirt's virErrorNumber name, e.g. VIR_ERR_NO_NETWORK. */
  public String code() {
    return code;
  }

  public String errorDomain() {
    return errorDomain;
  }

  public String libvirtMessage() {
    return libvirtMessage;
  }

  /** The code as kvmop decides on it. */
  public LibvirtCode kind() {
    return LibvirtCode.of(code);
  }

  public boolean is(LibvirtCode c) {
    return kind() == c;
  }
}
