package io.kvmop.ceph;

/** A Ceph tool that failed: what kvmop asked, the tool's exit code (-1: none), its last words. */
public final class CephError extends RuntimeException {
  private final String operation;
  private final int exitCode;

  public CephError(String operation, int exitCode, String message) {
    super(operation + " failed: " + message, null, false, false);
    this.operation = operation;
    this.exitCode = exitCode;
  }

  public String operation() {
    return operation;
  }

  public int exitCode() {
    return exitCode;
  }
}
