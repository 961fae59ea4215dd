package io.kvmop.libvirt;

import io.kvmop.libvirt.xml.DomainXml;

/**
 * What libvirt says about one domain: its run state with libvirt's reason for it, its persistent
 * definition ({@code config}) and, while it runs, the definition it runs with ({@code live}).
 */
public record DomainState(
    String name,
    String uuid,
    boolean persistent,
    RunState state,
    int reason,
    DomainXml config,
    DomainXml live) {

  /** virDomainState. */
  public enum RunState {
    NOSTATE,
    RUNNING,
    BLOCKED,
    PAUSED,
    SHUTDOWN,
    SHUTOFF,
    CRASHED,
    PMSUSPENDED;

    static RunState of(int v) {
      RunState[] all = values();
      return v >= 0 && v < all.length ? all[v] : NOSTATE;
    }
  }

  /** virDomainShutoffReason values kvmop tells apart. */
  public static final int SHUTOFF_UNKNOWN = 0;

  public static final int SHUTOFF_SHUTDOWN = 1;
  public static final int SHUTOFF_DESTROYED = 2;
  public static final int SHUTOFF_CRASHED = 3;
  public static final int SHUTOFF_FAILED = 6;

  /** The guest runs (or is being shut down, or paused): it has not stopped. */
  public boolean running() {
    return state == RunState.RUNNING
        || state == RunState.BLOCKED
        || state == RunState.PAUSED
        || state == RunState.SHUTDOWN
        || state == RunState.PMSUSPENDED;
  }

  /** Stopped because the guest powered itself off, not by failure or by force. */
  public boolean shutDownByGuest() {
    return state == RunState.SHUTOFF && reason == SHUTOFF_SHUTDOWN;
  }

  public String describe() {
    if (state != RunState.SHUTOFF) {
      return state.name().toLowerCase(java.util.Locale.ROOT);
    }
    return switch (reason) {
      case SHUTOFF_SHUTDOWN -> "shut off (guest shut down)";
      case SHUTOFF_DESTROYED -> "shut off (destroyed)";
      case SHUTOFF_CRASHED -> "shut off (crashed)";
      case SHUTOFF_FAILED -> "shut off (failed to start)";
      default -> "shut off";
    };
  }

  /** Files the domain's definitions (persistent and running) use as disks. */
  public java.util.Set<String> diskFiles() {
    java.util.Set<String> files = new java.util.HashSet<>();
    for (DomainXml x : new DomainXml[] {config, live}) {
      if (x != null && x.devices() != null && x.devices().disks() != null) {
        x.devices().disks().stream()
            .filter(k -> k.source() != null && k.source().file() != null)
            .forEach(k -> files.add(k.source().file()));
      }
    }
    return files;
  }
}
