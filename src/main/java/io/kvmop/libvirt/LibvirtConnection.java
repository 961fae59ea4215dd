package io.kvmop.libvirt;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one connection to a libvirt URI: opened on first use with keepalive and every event
 * registered, reopened (every second until it answers) when libvirt closes it.
 */
final class LibvirtConnection {
  private static final Logger LOG = LoggerFactory.getLogger(LibvirtConnection.class);

  private final String uri;
  private final LibvirtEvents events;
  private final ScheduledExecutorService reconnector =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "libvirt-reconnect");
            t.setDaemon(true);
            return t;
          });
  private volatile Runnable onReconnect = () -> {};
  private KvmopConnect conn;
  private LibvirtEvents.Registration registration;
  private boolean everConnected;
  private volatile boolean closed;

  LibvirtConnection(String uri, LibvirtEvents events) {
    this.uri = uri;
    this.events = events;
  }

  String uri() {
    return uri;
  }

  /** Runs after every reconnect (not the first connect). */
  void onReconnect(Runnable r) {
    this.onReconnect = r;
  }

  synchronized boolean connected() {
    return conn != null;
  }

  /** The open connection, opened now if there is none. */
  synchronized KvmopConnect get() {
    if (closed) {
      throw new LibvirtError(
          "connect " + uri, LibvirtCode.NO_CONNECT.libvirtName(), "", "port is closed");
    }
    if (conn != null) {
      return conn;
    }
    try {
      KvmopConnect c = new KvmopConnect(uri);
      NativeLibvirt.INSTANCE.virConnectSetKeepAlive(c.pointer(), 5, 3);
      c.registerCloseListener((cx, reason) -> onClosed(reason.name()));
      registration = events.register(c, uri);
      conn = c;
      if (everConnected) {
        LOG.info("reconnected to libvirt at {}", uri);
        onReconnect.run();
      }
      everConnected = true;
      return c;
    } catch (LibvirtException e) {
      throw LibvirtError.of("connect " + uri, e);
    }
  }

  /** {@code c} turned out dead: the next call opens a new one. */
  synchronized void forget(KvmopConnect c) {
    if (conn == c) {
      conn = null;
    }
  }

  /** Runs on libvirt's event loop thread: hand off, never take the lock here. */
  private void onClosed(String reason) {
    if (closed) {
      return;
    }
    reconnector.execute(
        () -> {
          LOG.warn("libvirt connection to {} closed ({}); reconnecting", uri, reason);
          synchronized (this) {
            conn = null;
            registration = null;
          }
          scheduleReconnect();
        });
  }

  private void scheduleReconnect() {
    if (closed) {
      return;
    }
    reconnector.schedule(
        () -> {
          try {
            get();
          } catch (LibvirtError e) {
            LOG.debug("reconnect to {} failed: {}", uri, e.getMessage());
            scheduleReconnect();
          }
        },
        1,
        TimeUnit.SECONDS);
  }

  synchronized void close() {
    closed = true;
    reconnector.shutdownNow();
    if (conn != null) {
      try {
        if (registration != null) {
          events.deregister(conn, registration);
        }
        conn.unregisterCloseListener();
        conn.close();
      } catch (LibvirtException e) {
        LOG.debug("closing libvirt connection: {}", e.getMessage());
      }
      conn = null;
    }
  }
}
