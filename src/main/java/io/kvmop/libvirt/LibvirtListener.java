package io.kvmop.libvirt;

/** Receives libvirt events. Called on a worker thread, never on libvirt's event loop. */
public interface LibvirtListener {
  void onNetworkEvent(NetworkEvent event);

  /** The connection was lost and is back: events may have been missed, look again. */
  default void onReconnect() {}
}
