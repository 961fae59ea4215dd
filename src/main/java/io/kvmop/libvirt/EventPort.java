package io.kvmop.libvirt;

/** libvirt's events as kvmop listens to them, delivered off libvirt's event thread. */
public interface EventPort {
  /**
   * Lifecycle events of networks and domains, and reconnects, are delivered to {@code listener}.
   */
  void addListener(LibvirtListener listener);

  void removeListener(LibvirtListener listener);
}
