package io.kvmop.libvirt;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.kvmop.libvirt.xml.DomainCapabilitiesXml;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.libvirt.xml.NetworkXml;
import io.kvmop.libvirt.xml.XmlCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.Network;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LibvirtPort} over libvirt-java and JNA: one shared connection, reopened when it dies, with
 * network lifecycle events registered on every connection it opens.
 */
public final class JnaLibvirt implements LibvirtPort, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JnaLibvirt.class);
  private static final int XML_INACTIVE = 1;

  private final String uri;
  private final List<LibvirtListener> listeners = new CopyOnWriteArrayList<>();
  private final ExecutorService dispatch;
  private final ScheduledExecutorService reconnector;
  private final NativeLibvirt.NetworkLifecycleCallback networkCallback = this::onNetworkEvent;
  private final NativeLibvirt.PoolLifecycleCallback poolCallback = this::onPoolEvent;
  private final NativeLibvirt.AgentLifecycleCallback agentCallback = this::onAgentEvent;
  private static final String[] POOL_EVENTS = {
    "Defined", "Undefined", "Started", "Stopped", "Created", "Deleted"
  };
  private final org.libvirt.event.LifecycleListener domainListener =
      (domain, event) -> {
        onDomainEvent(domain, event);
        return 0;
      };
  private KvmopConnect conn;
  private int networkCallbackId = -1;
  private int poolCallbackId = -1;
  private int agentCallbackId = -1;
  private boolean everConnected;
  private volatile boolean closed;
  private volatile boolean inactiveXmlSupported = true;
  private final JnaStorage storage = new JnaStorage(this);

  public JnaLibvirt(String uri) {
    this.uri = uri;
    LibvirtEventLoop.ensureRunning();
    this.dispatch = Executors.newSingleThreadExecutor(daemon("libvirt-events"));
    this.reconnector = Executors.newSingleThreadScheduledExecutor(daemon("libvirt-reconnect"));
    connection();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public String uri() {
    return uri;
  }

  /** True while a live connection is held (for readiness). */
  public synchronized boolean connected() {
    return conn != null;
  }

  private synchronized KvmopConnect connection() {
    if (closed) {
      throw new LibvirtError("connect " + uri, "VIR_ERR_NO_CONNECT", "", "port is closed");
    }
    if (conn != null) {
      return conn;
    }
    try {
      KvmopConnect c = new KvmopConnect(uri);
      NativeLibvirt.INSTANCE.virConnectSetKeepAlive(c.pointer(), 5, 3);
      c.registerCloseListener((cx, reason) -> onClosed(reason.name()));
      networkCallbackId =
          NativeLibvirt.INSTANCE.virConnectNetworkEventRegisterAny(
              c.pointer(),
              null,
              NativeLibvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE,
              networkCallback,
              null,
              null);
      if (networkCallbackId < 0) {
        LOG.warn("libvirt at {} does not deliver network events", uri);
      }
      poolCallbackId =
          NativeLibvirt.INSTANCE.virConnectStoragePoolEventRegisterAny(
              c.pointer(),
              null,
              NativeLibvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
              poolCallback,
              null,
              null);
      if (poolCallbackId < 0) {
        LOG.info("libvirt at {} does not deliver storage pool events", uri);
      }
      agentCallbackId =
          NativeLibvirt.INSTANCE.virConnectDomainEventRegisterAny(
              c.pointer(),
              null,
              NativeLibvirt.VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE,
              agentCallback,
              null,
              null);
      if (agentCallbackId < 0) {
        LOG.info("libvirt at {} does not deliver guest agent events", uri);
      }
      c.addLifecycleListener(domainListener);
      conn = c;
      if (everConnected) {
        LOG.info("reconnected to libvirt at {}", uri);
        observer.reconnected();
        dispatch.execute(() -> listeners.forEach(LibvirtListener::onReconnect));
      }
      everConnected = true;
      return c;
    } catch (LibvirtException e) {
      throw LibvirtError.of("connect " + uri, e);
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
            networkCallbackId = -1;
            poolCallbackId = -1;
            agentCallbackId = -1;
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
            connection();
          } catch (LibvirtError e) {
            LOG.debug("reconnect to {} failed: {}", uri, e.getMessage());
            scheduleReconnect();
          }
        },
        1,
        TimeUnit.SECONDS);
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
    DomainEvent e = new DomainEvent(name, String.valueOf(event.getType()));
    dispatch.execute(() -> listeners.forEach(l -> l.onDomainEvent(e)));
  }

  @FunctionalInterface
  interface Call<T> {
    T apply(KvmopConnect c) throws LibvirtException;
  }

  private volatile CallObserver observer = CallObserver.NONE;

  /** Every call and reconnect is reported here from now on. */
  public void observe(CallObserver observer) {
    this.observer = observer;
  }

  /** The operations kvmop performs, without the names of the objects they act on. */
  private static final List<String> OPERATIONS =
      List.of(
          "build storage pool",
          "connect",
          "create volume",
          "define domain",
          "define network",
          "define storage pool",
          "delete volume",
          "destroy domain",
          "list domains",
          "list networks",
          "list storage pools",
          "list volumes",
          "look up domain",
          "look up network",
          "look up storage pool",
          "look up volume",
          "read autostart of network",
          "read dhcp leases",
          "read domain capabilities",
          "read guest agent interfaces",
          "read host facts",
          "read state of domain",
          "read libvirt version",
          "refresh storage pool",
          "resize disk",
          "resize volume",
          "set autostart of network",
          "set autostart of storage pool",
          "shut down domain",
          "start domain",
          "start network",
          "start storage pool",
          "stop network",
          "undefine domain",
          "undefine network",
          "update running network");

  static String kind(String operation) {
    String lower = operation.toLowerCase(java.util.Locale.ROOT);
    for (String o : OPERATIONS) {
      if (lower.startsWith(o)) {
        return o;
      }
    }
    String[] words = lower.split(" ");
    return words.length >= 2 ? words[0] + " " + words[1] : words[0];
  }

  /** One libvirt call, reported to the observer with its duration and error code. */
  <T> T call(String operation, Call<T> call) {
    long t0 = System.nanoTime();
    String code = null;
    try {
      return callOnce(operation, call);
    } catch (LibvirtError e) {
      code = e.code();
      throw e;
    } finally {
      observer.called(kind(operation), System.nanoTime() - t0, code);
    }
  }

  /** One libvirt call; if the connection turns out dead, reopen it and try once more. */
  private <T> T callOnce(String operation, Call<T> call) {
    KvmopConnect c = connection();
    try {
      return call.apply(c);
    } catch (LibvirtException e) {
      if (alive(c)) {
        throw LibvirtError.of(operation, e);
      }
      synchronized (this) {
        if (conn == c) {
          conn = null;
        }
      }
      try {
        return call.apply(connection());
      } catch (LibvirtException again) {
        throw LibvirtError.of(operation, again);
      }
    }
  }

  private static boolean alive(KvmopConnect c) {
    try {
      return c.isAlive();
    } catch (LibvirtException e) {
      return false;
    }
  }

  private static boolean noNetwork(LibvirtException e) {
    return e.getError() != null && e.getError().getCode() == ErrorNumber.VIR_ERR_NO_NETWORK;
  }

  @Override
  public Optional<NetworkState> findNetwork(String name) {
    return call(
        "look up network " + name,
        c -> {
          Network n;
          try {
            n = c.networkLookupByName(name);
          } catch (LibvirtException e) {
            if (noNetwork(e)) {
              return Optional.empty();
            }
            throw e;
          }
          try {
            return Optional.of(state(n));
          } catch (LibvirtException e) {
            if (noNetwork(e)) {
              return Optional.empty(); // undefined between lookup and read
            }
            throw e;
          } finally {
            n.free();
          }
        });
  }

  private NetworkState state(Network n) throws LibvirtException {
    boolean active = n.isActive() == 1;
    boolean persistent = n.isPersistent() == 1;
    NetworkXml config = XmlCodec.read(configXml(n), NetworkXml.class);
    NetworkXml live = active ? XmlCodec.read(n.getXMLDesc(0), NetworkXml.class) : null;
    return new NetworkState(
        n.getName(),
        n.getUUIDString(),
        active,
        persistent && n.getAutostart(),
        persistent,
        config.withoutRuntimeState(),
        live);
  }

  /**
   * The persistent definition. Drivers without VIR_NETWORK_XML_INACTIVE (the test driver) only show
   * one definition, which then stands for both.
   */
  private String configXml(Network n) throws LibvirtException {
    if (inactiveXmlSupported) {
      try {
        return n.getXMLDesc(XML_INACTIVE);
      } catch (LibvirtException e) {
        if (e.getError() == null || e.getError().getCode() != ErrorNumber.VIR_ERR_INVALID_ARG) {
          throw e;
        }
        LOG.info("libvirt at {} has no inactive network XML; using the live one", uri);
        inactiveXmlSupported = false;
      }
    }
    return n.getXMLDesc(0);
  }

  @Override
  public List<NetworkState> listNetworks() {
    return call(
        "list networks",
        c -> {
          List<String> names = new ArrayList<>(List.of(c.listNetworks()));
          names.addAll(List.of(c.listDefinedNetworks()));
          List<NetworkState> result = new ArrayList<>();
          for (String name : names) {
            findNetwork(name).ifPresent(result::add);
          }
          return result;
        });
  }

  @Override
  public void defineNetwork(NetworkXml xml) {
    String text = XmlCodec.write(xml);
    call("define network " + xml.name(), c -> c.networkDefineXML(text).free());
  }

  @Override
  public void startNetwork(String name) {
    onNetwork("start network " + name, name, n -> n.create());
  }

  @Override
  public void stopNetwork(String name) {
    onNetwork("stop network " + name, name, n -> n.destroy());
  }

  @Override
  public void undefineNetwork(String name) {
    onNetwork("undefine network " + name, name, n -> n.undefine());
  }

  @Override
  public void setNetworkAutostart(String name, boolean autostart) {
    onNetwork("set autostart of network " + name, name, n -> n.setAutostart(autostart));
  }

  @Override
  public Optional<Boolean> networkAutostart(String name) {
    return call(
        "read autostart of network " + name,
        c -> {
          Network n;
          try {
            n = c.networkLookupByName(name);
          } catch (LibvirtException e) {
            if (noNetwork(e)) {
              return Optional.empty();
            }
            throw e;
          }
          try {
            return n.isPersistent() == 1 ? Optional.of(n.getAutostart()) : Optional.empty();
          } finally {
            n.free();
          }
        });
  }

  @Override
  public void updateRunningNetwork(String name, NetworkUpdate update) {
    String xml = XmlCodec.write(update.element());
    String operation =
        "update running network " + name + " (" + update.command() + " " + xml.strip() + ")";
    call(
        operation,
        c ->
            withNativeNetwork(
                c,
                name,
                operation,
                net -> {
                  if (NativeLibvirt.INSTANCE.virNetworkUpdate(
                          net,
                          update.command().value,
                          update.section(),
                          -1,
                          xml,
                          NativeLibvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE)
                      < 0) {
                    throw lastError(operation);
                  }
                  return null;
                }));
  }

  /** A libvirt object looked up through {@link NativeLibvirt}, used, then freed. */
  @FunctionalInterface
  private interface NativeCall<T> {
    T apply(Pointer object);
  }

  private static <T> T withNativeNetwork(
      KvmopConnect c, String name, String operation, NativeCall<T> fn) {
    Pointer net = NativeLibvirt.INSTANCE.virNetworkLookupByName(c.pointer(), name);
    if (net == null) {
      throw lastError(operation);
    }
    try {
      return fn.apply(net);
    } finally {
      NativeLibvirt.INSTANCE.virNetworkFree(net);
    }
  }

  private static <T> T withNativeDomain(
      KvmopConnect c, String name, String operation, NativeCall<T> fn) {
    Pointer dom = NativeLibvirt.INSTANCE.virDomainLookupByName(c.pointer(), name);
    if (dom == null) {
      throw lastError(operation);
    }
    try {
      return fn.apply(dom);
    } finally {
      NativeLibvirt.INSTANCE.virDomainFree(dom);
    }
  }

  /** The calling thread's last libvirt error, for calls made through {@link NativeLibvirt}. */
  private static LibvirtError lastError(String operation) {
    var err = org.libvirt.jna.Libvirt.INSTANCE.virGetLastError();
    if (err == null) {
      return new LibvirtError(operation, "VIR_ERR_UNKNOWN", "", "no error reported");
    }
    return LibvirtError.of(operation, new org.libvirt.Error(err));
  }

  @FunctionalInterface
  private interface NetworkCall {
    void apply(Network n) throws LibvirtException;
  }

  private void onNetwork(String operation, String name, NetworkCall action) {
    call(
        operation,
        c -> {
          Network n = c.networkLookupByName(name);
          try {
            action.apply(n);
          } finally {
            n.free();
          }
          return null;
        });
  }

  @Override
  public Optional<List<DhcpLease>> dhcpLeases(String name) {
    String operation = "read DHCP leases of network " + name;
    return call(
        operation,
        c -> {
          try {
            return withNativeNetwork(c, name, operation, net -> leases(net));
          } catch (LibvirtError e) {
            if (e.is("VIR_ERR_NO_NETWORK")) {
              return Optional.empty();
            }
            throw e;
          }
        });
  }

  private static Optional<List<DhcpLease>> leases(Pointer net) {
    NativeLibvirt lib = NativeLibvirt.INSTANCE;
    PointerByReference array = new PointerByReference();
    int count = lib.virNetworkGetDHCPLeases(net, null, array, 0);
    if (count < 0) {
      return Optional.empty(); // e.g. the test driver: not supported
    }
    List<DhcpLease> leases = new ArrayList<>(count);
    Pointer base = array.getValue();
    for (int i = 0; i < count; i++) {
      Pointer p = base.getPointer((long) i * Native.POINTER_SIZE);
      var l = new NativeLibvirt.VirNetworkDhcpLease(p);
      leases.add(new DhcpLease(l.mac, l.ipaddr, l.prefix, l.hostname, l.expirytime));
      lib.virNetworkDHCPLeaseFree(p);
    }
    if (base != null) {
      Native.free(Pointer.nativeValue(base));
    }
    return Optional.of(leases);
  }

  private static final int DOMAIN_XML_INACTIVE = 2;
  private static final int UNDEFINE_NVRAM = 4;

  private static boolean noDomain(LibvirtException e) {
    return e.getError() != null && e.getError().getCode() == ErrorNumber.VIR_ERR_NO_DOMAIN;
  }

  @Override
  public Optional<DomainState> findDomain(String name) {
    return call(
        "look up domain " + name,
        c -> {
          org.libvirt.Domain d;
          try {
            d = c.domainLookupByName(name);
          } catch (LibvirtException e) {
            if (noDomain(e)) {
              return Optional.empty();
            }
            throw e;
          }
          try {
            boolean persistent = d.isPersistent() == 1;
            boolean active = d.isActive() == 1;
            DomainXml config =
                XmlCodec.read(d.getXMLDesc(persistent ? DOMAIN_XML_INACTIVE : 0), DomainXml.class);
            DomainXml live = active ? XmlCodec.read(d.getXMLDesc(0), DomainXml.class) : null;
            int[] st = domainState(c, name);
            return Optional.of(
                new DomainState(
                    name,
                    d.getUUIDString(),
                    persistent,
                    DomainState.RunState.of(st[0]),
                    st[1],
                    config,
                    live));
          } catch (LibvirtException e) {
            if (noDomain(e)) {
              return Optional.empty();
            }
            throw e;
          } finally {
            d.free();
          }
        });
  }

  private static int[] domainState(KvmopConnect c, String name) {
    String operation = "read state of domain " + name;
    return withNativeDomain(
        c,
        name,
        operation,
        dom -> {
          var state = new com.sun.jna.ptr.IntByReference();
          var reason = new com.sun.jna.ptr.IntByReference();
          if (NativeLibvirt.INSTANCE.virDomainGetState(dom, state, reason, 0) < 0) {
            throw lastError(operation);
          }
          return new int[] {state.getValue(), reason.getValue()};
        });
  }

  @Override
  public List<String> listDomainNames() {
    return call(
        "list domains",
        c -> {
          // running ones first: one that stops in between is then among the defined ones
          java.util.Set<String> names = new java.util.LinkedHashSet<>();
          for (int id : c.listDomains()) {
            org.libvirt.Domain d;
            try {
              d = c.domainLookupByID(id);
            } catch (org.libvirt.LibvirtException e) {
              if (e.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_DOMAIN) {
                continue; // it stopped (or went) between the listing and the look-up
              }
              throw e;
            }
            try {
              names.add(d.getName());
            } finally {
              d.free();
            }
          }
          names.addAll(List.of(c.listDefinedDomains()));
          return new ArrayList<>(names);
        });
  }

  @Override
  public void defineDomain(DomainXml xml) {
    String text = XmlCodec.write(xml);
    call(
        "define domain " + xml.name(),
        c -> {
          org.libvirt.Domain d = c.domainDefineXML(text);
          try {
            markStored(d);
          } finally {
            d.free();
          }
          return null;
        });
  }

  /**
   * Defines exactly this XML, as {@code virsh define} does: no stored-form mark. For tests that
   * change a definition the way a person would.
   */
  public void defineAsIs(DomainXml xml) {
    String text = XmlCodec.write(xml);
    call("define domain " + xml.name(), c -> c.domainDefineXML(text).free());
  }

  private static final int METADATA_ELEMENT = 2;
  private static final int AFFECT_CONFIG = 2;

  /**
   * Records in the owner mark of the persistent definition a hash of the form libvirt stored it in,
   * so that what libvirt fills in is never mistaken for an edit. Best effort: without it kvmop
   * compares field by field.
   */
  private void markStored(org.libvirt.Domain d) {
    try {
      DomainXml stored = XmlCodec.read(d.getXMLDesc(DOMAIN_XML_INACTIVE), DomainXml.class);
      if (stored.owner() == null) {
        return;
      }
      d.setMetadata(
          METADATA_ELEMENT,
          XmlCodec.write(stored.owner().withStored(stored.storedHash())),
          "kvmop",
          DomainXml.KVMOP_NS,
          AFFECT_CONFIG);
    } catch (LibvirtException e) {
      LOG.debug("cannot record the stored form of a domain: {}", e.getMessage());
    }
  }

  @Override
  public void startDomain(String name) {
    onDomain("start domain " + name, name, d -> d.create());
  }

  @Override
  public void destroyDomain(String name) {
    onDomain("destroy domain " + name, name, d -> d.destroy());
  }

  @Override
  public void undefineDomain(String name) {
    onDomain(
        "undefine domain " + name,
        name,
        d -> {
          try {
            d.undefine(UNDEFINE_NVRAM);
          } catch (LibvirtException e) {
            if (e.getError() == null
                || (e.getError().getCode() != ErrorNumber.VIR_ERR_INVALID_ARG
                    && e.getError().getCode() != ErrorNumber.VIR_ERR_NO_SUPPORT)) {
              throw e;
            }
            d.undefine(); // drivers without NVRAM support (the test driver)
          }
        });
  }

  @Override
  public void shutdownDomain(String name, boolean viaAgent) {
    String operation =
        "shut down domain " + name + (viaAgent ? " through the guest agent" : " (ACPI)");
    call(
        operation,
        c ->
            withNativeDomain(
                c,
                name,
                operation,
                dom -> {
                  NativeLibvirt lib = NativeLibvirt.INSTANCE;
                  int flags =
                      viaAgent
                          ? NativeLibvirt.VIR_DOMAIN_SHUTDOWN_GUEST_AGENT
                          : NativeLibvirt.VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN;
                  if (lib.virDomainShutdownFlags(dom, flags) >= 0) {
                    return null;
                  }
                  LibvirtError e = lastError(operation);
                  if (viaAgent || !e.is("VIR_ERR_INVALID_ARG")) {
                    throw e;
                  }
                  // drivers without the ACPI flag (the test driver): let the hypervisor choose
                  if (lib.virDomainShutdownFlags(dom, 0) < 0) {
                    throw lastError(operation);
                  }
                  return null;
                }));
  }

  private static final int ADDRESSES_FROM_AGENT = 1;

  @Override
  public Optional<List<GuestNic>> agentInterfaces(String domainName) {
    try {
      return call(
          "read guest agent interfaces of " + domainName,
          c -> {
            org.libvirt.Domain d = c.domainLookupByName(domainName);
            try {
              List<GuestNic> nics = new ArrayList<>();
              for (var i : d.interfaceAddresses(ADDRESSES_FROM_AGENT, 0)) {
                List<String> v4 = new ArrayList<>();
                if (i.addrs != null) {
                  for (var a : i.addrs) {
                    if (a.address instanceof java.net.Inet4Address v) {
                      v4.add(v.getHostAddress());
                    }
                  }
                }
                if (i.hwAddr != null) {
                  nics.add(new GuestNic(i.hwAddr.toLowerCase(java.util.Locale.ROOT), v4));
                }
              }
              return Optional.of(nics);
            } finally {
              d.free();
            }
          });
    } catch (LibvirtError e) {
      return Optional.empty(); // no agent answering: not an error for the machine
    }
  }

  @Override
  public Optional<String> domainCapabilitiesError(String virtType) {
    return call(
        "read domain capabilities for " + virtType,
        c -> {
          Pointer caps =
              NativeLibvirt.INSTANCE.virConnectGetDomainCapabilities(
                  c.pointer(), null, "x86_64", null, virtType, 0);
          if (caps == null) {
            LibvirtError e = lastError("read domain capabilities for " + virtType);
            return Optional.of(e.code() + ": " + e.libvirtMessage());
          }
          Native.free(Pointer.nativeValue(caps));
          return Optional.empty();
        });
  }

  @Override
  public String version() {
    return call(
        "read libvirt version",
        c -> {
          long v = c.getLibVersion();
          return (v / 1_000_000) + "." + (v / 1000 % 1000) + "." + (v % 1000);
        });
  }

  @Override
  public HostFacts hostFacts(String virtType) {
    return call(
        "read host facts",
        c -> {
          var info = c.nodeInfo();
          List<String> models = List.of();
          Pointer caps =
              NativeLibvirt.INSTANCE.virConnectGetDomainCapabilities(
                  c.pointer(), null, "x86_64", null, virtType, 0);
          if (caps != null) {
            try {
              models =
                  XmlCodec.read(caps.getString(0), DomainCapabilitiesXml.class)
                      .usableCustomModels();
            } finally {
              Native.free(Pointer.nativeValue(caps));
            }
          }
          return new HostFacts(info.memory, info.cpus, models);
        });
  }

  @FunctionalInterface
  interface DomainCall {
    void apply(org.libvirt.Domain d) throws LibvirtException;
  }

  void onDomain(String operation, String name, DomainCall action) {
    call(
        operation,
        c -> {
          org.libvirt.Domain d = c.domainLookupByName(name);
          try {
            action.apply(d);
          } finally {
            d.free();
          }
          return null;
        });
  }

  @Override
  public StoragePort storage() {
    return storage;
  }

  @Override
  public void addListener(LibvirtListener listener) {
    listeners.add(listener);
  }

  @Override
  public void removeListener(LibvirtListener listener) {
    listeners.remove(listener);
  }

  @Override
  public synchronized void close() {
    closed = true;
    reconnector.shutdownNow();
    if (conn != null) {
      try {
        if (networkCallbackId >= 0) {
          NativeLibvirt.INSTANCE.virConnectNetworkEventDeregisterAny(
              conn.pointer(), networkCallbackId);
        }
        if (poolCallbackId >= 0) {
          // a registered callback keeps the connection open after close: without this, libvirt
          // would call into a callback the JVM has collected
          NativeLibvirt.INSTANCE.virConnectStoragePoolEventDeregisterAny(
              conn.pointer(), poolCallbackId);
        }
        if (agentCallbackId >= 0) {
          NativeLibvirt.INSTANCE.virConnectDomainEventDeregisterAny(
              conn.pointer(), agentCallbackId);
        }
        conn.removeLifecycleListener(domainListener);
        conn.unregisterCloseListener();
        conn.close();
      } catch (LibvirtException e) {
        LOG.debug("closing libvirt connection: {}", e.getMessage());
      }
      conn = null;
    }
    dispatch.shutdown();
  }
}
