package io.kvmop.libvirt;

/** A libvirt network lifecycle event (VIR_NETWORK_EVENT_*). */
public record NetworkEvent(String network, Kind kind) {
  public enum Kind {
    DEFINED,
    UNDEFINED,
    STARTED,
    STOPPED;

    static Kind of(int libvirtValue) {
      Kind[] all = values();
      return libvirtValue >= 0 && libvirtValue < all.length ? all[libvirtValue] : null;
    }
  }
}
