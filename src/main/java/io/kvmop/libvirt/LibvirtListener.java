package io.kvmop.libvirt;

/** Receives libvirt events. Called on a worker thread, never on libvirt's event loop. */
public interface LibvirtListener {
  default void onNetworkEvent(NetworkEvent event) {}

  default void onDomainEvent(DomainEvent event) {}

  /**
   * A storage pool was defined, undefined, started, stopped, built or deleted ({@code kind}:
   * Defined, Undefined, Started, Stopped, Created, Deleted).
   */
  default void onStoragePoolEvent(String pool, String kind) {}

  /** A listener for network events only. */
  static LibvirtListener networks(java.util.function.Consumer<NetworkEvent> consumer) {
    return new LibvirtListener() {
      @Override
      public void onNetworkEvent(NetworkEvent event) {
        consumer.accept(event);
      }
    };
  }

  /** A listener for domain events only. */
  static LibvirtListener domains(java.util.function.Consumer<DomainEvent> consumer) {
    return new LibvirtListener() {
      @Override
      public void onDomainEvent(DomainEvent event) {
        consumer.accept(event);
      }
    };
  }

  /** The connection was lost and is back: events may have been missed, look again. */
  default void onReconnect() {}
}
