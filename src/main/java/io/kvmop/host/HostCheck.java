package io.kvmop.host;

/** One troubleshooting step of the KVM guides: did it pass, what was found, what fixes it. */
public record HostCheck(
    String name, boolean passed, String message, String fix, boolean decidesKvm) {

  /** The check's message and its fix, as the KvmHost lists them. */
  public String explain() {
    return name + ": " + message + (fix == null ? "" : " (fix: " + fix + ")");
  }
}
