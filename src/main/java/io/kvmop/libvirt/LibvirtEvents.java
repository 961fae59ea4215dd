package io.kvmop.libvirt;

import com.sun.jna.Pointer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libvirt's lifecycle events (networks, storage pools, domains, guest agents): registered on every
 * connection, handed at once from libvirt's event-loop thread to one dispatch thread, and from
 * there to the listeners.
 */
final class LibvirtEvents {
  private static final Logger LOG = LoggerFactory.getLogger(LibvirtEvents.class);
  private static final String[] POOL_EVENTS = {
    "Defined", "Undefined", "Started", "Stopped", "Created", "Deleted"
  };

  private final List<LibvirtListener> listeners = new CopyOnWriteArrayList<>();
  private final ExecutorService dispatch;
  private final NativeLibvirt.NetworkLifecycleCallback networkCallback = this::onNetworkEvent;
  private final NativeLibvirt.PoolLifecycleCallback poolCallback = this::onPoolEvent;
  private final NativeLibvirt.AgentLifecycleCallback agentCallback = this::onAgentEvent;
  private final org.libvirt.event.LifecycleListener domainListener =
      (domain, event) -> {
        onDomainEvent(domain, event);
        return 0;
      };
  private volatile boolean closed;
  private final OwnEvents own = new OwnEvents();

  /** The callbacks registered on one connection, to deregister them when it closes. */
  record Registration(int network, int pool, int agent) {}

  LibvirtEvents(ExecutorService dispatch) {
    this.dispatch = dispatch;
  }

  static LibvirtEvents start() {
    return new LibvirtEvents(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "libvirt-events");
              t.setDaemon(true);
              return t;
            }));
  }

  Registration register(KvmopConnect c, String uri) throws LibvirtException {
    NativeLibvirt lib = NativeLibvirt.INSTANCE;
    int network =
        lib.virConnectNetworkEventRegisterAny(
            c.pointer(),
            null,
            NativeLibvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE,
            networkCallback,
            null,
            null);
    if (network < 0) {
      LOG.warn("libvirt at {} does not deliver network events", uri);
    }
    int pool =
        lib.virConnectStoragePoolEventRegisterAny(
            c.pointer(),
            null,
            NativeLibvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
            poolCallback,
            null,
            null);
    if (pool < 0) {
      LOG.info("libvirt at {} does not deliver storage pool events", uri);
    }
    int agent =
        lib.virConnectDomainEventRegisterAny(
            c.pointer(),
            null,
            NativeLibvirt.VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
            agentCallback,
            null,
            null);
    if (agent < 0) {
      LOG.info("libvirt at {} does not deliver guest agent events", uri);
    }
    c.addLifecycleListener(domainListener);
    return new Registration(network, pool, agent);
  }

  /**
   * A registered callback keeps the connection open after close: without this, libvirt would call
   * into a callback the JVM has collected.
   */
  void deregister(KvmopConnect c, Registration r) throws LibvirtException {
    NativeLibvirt lib = NativeLibvirt.INSTANCE;
    if (r.network() >= 0) {
      lib.virConnectNetworkEventDeregisterAny(c.pointer(), r.network());
    }
    if (r.pool() >= 0) {
      lib.virConnectStoragePoolEventDeregisterAny(c.pointer(), r.pool());
    }
    if (r.agent() >= 0) {
      lib.virConnectDomainEventDeregisterAny(c.pointer(), r.agent());
    }
    c.removeLifecycleListener(domainListener);
  }

  /** The connection was opened again: listeners look at everything again. */
  void reconnected() {
    dispatch.execute(() -> listeners.forEach(LibvirtListener::onReconnect));
  }

  void add(LibvirtListener l) {
    listeners.add(l);
  }

  void remove(LibvirtListener l) {
    listeners.remove(l);
  }

  void close() {
    closed = true;
    dispatch.shutdown();
  }

  /** Runs on libvirt's event loop thread: hand off at once, never block here. */
  private void onNetworkEvent(Pointer c, Pointer net, int event, int detail, Pointer opaque) {
    NetworkEvent.Kind kind = NetworkEvent.Kind.of(event);
    if (kind == null || closed) {
      return;
    }
    String name = NativeLibvirt.INSTANCE.virNetworkGetName(net);
    NetworkEvent e = new NetworkEvent(name, kind);
    dispatch.execute(() -> listeners.forEach(l -> l.onNetworkEvent(e)));
  }

  /** Runs on libvirt's event loop thread: hand off at once, never block here. */
  private void onPoolEvent(Pointer c, Pointer pool, int event, int detail, Pointer opaque) {
    if (closed || event < 0 || event >= POOL_EVENTS.length) {
      return;
    }
    String name = NativeLibvirt.INSTANCE.virStoragePoolGetName(pool);
    String kind = POOL_EVENTS[event];
    dispatch.execute(() -> listeners.forEach(l -> l.onStoragePoolEvent(name, kind)));
  }

  /**
   * The guest agent connected or went away (a guest agent channel changed state). Runs on libvirt's
   * event loop thread: hand off at once, never block here.
   */
  private void onAgentEvent(Pointer c, Pointer dom, int state, int reason, Pointer opaque) {
    if (closed) {
      return;
    }
    String name = NativeLibvirt.INSTANCE.virDomainGetName(dom);
    DomainEvent e =
        new DomainEvent(
            name,
            state == NativeLibvirt.VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_CONNECTED
                ? "AgentConnected"
                : "AgentDisconnected");
    dispatch.execute(() -> listeners.forEach(l -> l.onDomainEvent(e)));
  }

  /** Runs on libvirt's event loop thread: hand off at once, never block here. */
  private void onDomainEvent(org.libvirt.Domain domain, org.libvirt.event.DomainEvent event) {
    if (closed) {
      return;
    }
    String name;
    try {
      name = domain.getName();
    } catch (LibvirtException e) {
      return;
    }
    String kind = String.valueOf(event.getType());
    DomainEvent e = new DomainEvent(name, kind, own.echo(name, kind, System.nanoTime()));
    dispatch.execute(() -> listeners.forEach(l -> l.onDomainEvent(e)));
  }

  /** The events kvmop's own calls cause: marked {@link DomainEvent#own()} when they come. */
  OwnEvents own() {
    return own;
  }
}
