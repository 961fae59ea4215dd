package io.kvmop.testing;

import io.kvmop.libvirt.DhcpLease;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.DomainState.RunState;
import io.kvmop.libvirt.GuestNic;
import io.kvmop.libvirt.HostFacts;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtListener;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.libvirt.NetworkUpdate;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.libvirt.xml.NetworkXml;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An in-memory libvirt for tests of the reconcile logic: networks, domains, leases, and failures
 * switched on per operation ("start domain", "define network", ...) with a libvirt error code.
 */
public final class FakeLibvirt implements LibvirtPort {
  private final Map<String, NetworkState> networks = new HashMap<>();
  private final Map<String, DomainState> domains = new HashMap<>();
  private final Map<String, List<DhcpLease>> leases = new HashMap<>();
  private final Map<String, LibvirtError> failures = new HashMap<>();
  public HostFacts host = new HostFacts(8L * 1024 * 1024, 4, List.of("qemu64", "Nehalem"));
  public final List<String> calls = new ArrayList<>();
  public final FakeStorage storage = new FakeStorage(this::call);
  public final FakeSnapshots snapshots = new FakeSnapshots(this);
  public final FakeLive live = new FakeLive(this);
  public final FakeMigrations migrations = new FakeMigrations(this);

  /** A domain migrated here from another fake: defined and running as it ran there. */
  synchronized void arrive(DomainState d) {
    call("migrate in domain " + d.name());
    domains.put(d.name(), d);
  }

  /** A domain migrated away: gone here. */
  synchronized void leave(String domain) {
    domains.remove(domain);
  }

  /** Replaces a domain's state as a live change leaves it (for the fakes beside this one). */
  synchronized void replace(DomainState d) {
    domains.put(d.name(), d);
  }

  /** One call, as the failure switches see it (for the fakes beside this one). */
  void record(String operation) {
    call(operation);
  }

  /** The next call whose operation starts with this prefix fails with this libvirt error. */
  public void fail(String operationPrefix, String code, String message) {
    failures.put(operationPrefix, new LibvirtError(operationPrefix, code, "", message));
  }

  private long leaseSeq;

  /** A lease granted now: each one expires later than any granted before it, as dnsmasq's do. */
  public void lease(String network, String mac, String ip) {
    leases
        .computeIfAbsent(network, n -> new ArrayList<>())
        .add(
            new DhcpLease(
                mac, ip, 24, null, java.time.Instant.now().getEpochSecond() + 3600 + leaseSeq++));
  }

  public void clearLeases(String network) {
    leases.remove(network);
  }

  /** Thrown at the call a crash is set for: the process dies there (see {@link #crashAtCall}). */
  public static final class Crash extends RuntimeException {
    Crash(String operation) {
      super("crashed before " + operation);
    }
  }

  private int callCount;
  private int crashAt = -1;

  /** The {@code n}th call from now (0: the next) dies before it does anything; -1: none. */
  public synchronized void crashAtCall(int n) {
    crashAt = n < 0 ? -1 : callCount + n;
  }

  /** How many calls were made so far. */
  public synchronized int callCount() {
    return callCount;
  }

  private synchronized void call(String operation) {
    if (callCount++ == crashAt) {
      crashAt = -1;
      throw new Crash(operation);
    }
    calls.add(operation);
    for (var f : failures.entrySet()) {
      if (operation.startsWith(f.getKey())) {
        failures.remove(f.getKey());
        LibvirtError e = f.getValue();
        throw new LibvirtError(operation, e.code(), e.errorDomain(), e.libvirtMessage());
      }
    }
  }

  @Override
  public String uri() {
    return "fake:///";
  }

  @Override
  public synchronized Optional<NetworkState> findNetwork(String name) {
    call("look up network " + name);
    return Optional.ofNullable(networks.get(name));
  }

  @Override
  public synchronized List<NetworkState> listNetworks() {
    call("list networks");
    return List.copyOf(networks.values());
  }

  @Override
  public synchronized void defineNetwork(NetworkXml xml) {
    call("define network " + xml.name());
    NetworkState old = networks.get(xml.name());
    networks.put(
        xml.name(),
        old == null
            ? new NetworkState(xml.name(), xml.uuid(), false, false, true, xml, null)
            : new NetworkState(
                xml.name(), xml.uuid(), old.active(), old.autostart(), true, xml, old.live()));
  }

  @Override
  public synchronized void startNetwork(String name) {
    call("start network " + name);
    NetworkState s = networks.get(name);
    networks.put(
        name,
        new NetworkState(
            name, s.uuid(), true, s.autostart(), s.persistent(), s.config(), s.config()));
  }

  @Override
  public synchronized void stopNetwork(String name) {
    call("stop network " + name);
    NetworkState s = networks.get(name);
    networks.put(
        name,
        new NetworkState(name, s.uuid(), false, s.autostart(), s.persistent(), s.config(), null));
  }

  @Override
  public synchronized void undefineNetwork(String name) {
    call("undefine network " + name);
    networks.remove(name);
  }

  @Override
  public synchronized void setNetworkAutostart(String name, boolean autostart) {
    call("set autostart of network " + name);
    NetworkState s = networks.get(name);
    networks.put(
        name,
        new NetworkState(
            name, s.uuid(), s.active(), autostart, s.persistent(), s.config(), s.live()));
  }

  @Override
  public synchronized Optional<Boolean> networkAutostart(String name) {
    call("read autostart of network " + name);
    return Optional.ofNullable(networks.get(name))
        .filter(NetworkState::persistent)
        .map(NetworkState::autostart);
  }

  @Override
  public synchronized void updateRunningNetwork(String name, NetworkUpdate update) {
    call("update running network " + name);
  }

  @Override
  public synchronized Optional<List<DhcpLease>> dhcpLeases(String name) {
    call("read DHCP leases of network " + name);
    return Optional.of(List.copyOf(leases.getOrDefault(name, List.of())));
  }

  @Override
  public synchronized Optional<DomainState> findDomain(String name) {
    call("look up domain " + name);
    return Optional.ofNullable(domains.get(name));
  }

  @Override
  public synchronized List<String> listDomainNames() {
    call("list domains");
    return List.copyOf(domains.keySet());
  }

  @Override
  public synchronized void defineDomain(DomainXml xml) {
    call("define domain " + xml.name());
    DomainState old = domains.get(xml.name());
    domains.put(
        xml.name(),
        old == null
            ? new DomainState(xml.name(), xml.uuid(), true, RunState.SHUTOFF, 0, xml, null)
            : new DomainState(
                xml.name(), xml.uuid(), true, old.state(), old.reason(), xml, old.live()));
    emit(xml.name(), "DEFINED");
  }

  @Override
  public synchronized void startDomain(String name) {
    call("start domain " + name);
    DomainState d = domains.get(name);
    domains.put(
        name,
        new DomainState(
            name, d.uuid(), d.persistent(), RunState.RUNNING, 1, d.config(), d.config()));
    emit(name, "STARTED");
  }

  @Override
  public synchronized void shutdownDomain(String name, boolean viaAgent) {
    call("shut down domain " + name);
    stop(name, DomainState.SHUTOFF_SHUTDOWN);
  }

  @Override
  public io.kvmop.libvirt.ConsoleStream openConsole(String name, boolean force) {
    throw new UnsupportedOperationException("no consoles in the fake");
  }

  @Override
  public synchronized void suspendDomain(String name) {
    call("suspend domain " + name);
    DomainState d = domains.get(name);
    domains.put(
        name,
        new DomainState(name, d.uuid(), d.persistent(), RunState.PAUSED, 1, d.config(), d.live()));
    emit(name, "SUSPENDED");
  }

  @Override
  public synchronized void resumeDomain(String name) {
    call("resume domain " + name);
    DomainState d = domains.get(name);
    domains.put(
        name,
        new DomainState(name, d.uuid(), d.persistent(), RunState.RUNNING, 1, d.config(), d.live()));
    emit(name, "RESUMED");
  }

  @Override
  public synchronized void destroyDomain(String name) {
    call("destroy domain " + name);
    stop(name, DomainState.SHUTOFF_DESTROYED);
  }

  private void stop(String name, int reason) {
    DomainState d = domains.get(name);
    domains.put(
        name,
        new DomainState(
            name, d.uuid(), d.persistent(), RunState.SHUTOFF, reason, d.config(), null));
    emit(name, "STOPPED");
  }

  @Override
  public synchronized void undefineDomain(String name) {
    call("undefine domain " + name);
    domains.remove(name);
    snapshots.forget(name);
    emit(name, "UNDEFINED");
  }

  @Override
  public Optional<List<GuestNic>> agentInterfaces(String domainName) {
    return Optional.empty();
  }

  public String domcapsKvmError = "VIR_ERR_CONFIG_UNSUPPORTED: KVM is not supported on this host";

  @Override
  public Optional<String> domainCapabilitiesError(String virtType) {
    return "kvm".equals(virtType) ? Optional.ofNullable(domcapsKvmError) : Optional.empty();
  }

  /** When set, every version() call fails as an unreachable libvirtd does. */
  public volatile boolean down;

  @Override
  public String version() {
    if (down) {
      throw new LibvirtError(
          "read libvirt version", "VIR_ERR_NO_CONNECT", "VIR_FROM_REMOTE", "no connection");
    }
    return "9.0.0";
  }

  @Override
  public HostFacts hostFacts(String virtType) {
    call("read host facts");
    return host;
  }

  @Override
  public io.kvmop.libvirt.StoragePort storage() {
    return storage;
  }

  @Override
  public io.kvmop.libvirt.LivePort live() {
    return live;
  }

  @Override
  public io.kvmop.libvirt.SnapshotPort snapshots() {
    return snapshots;
  }

  @Override
  public io.kvmop.libvirt.MigrationPort migrations() {
    return migrations;
  }

  private final List<LibvirtListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Lifecycle events go out on a thread of their own, after the call, as libvirt's do. */
  private final java.util.concurrent.ExecutorService dispatch =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "fake-libvirt-events");
            t.setDaemon(true);
            return t;
          });

  private void emit(String domain, String kind) {
    var e = new io.kvmop.libvirt.DomainEvent(domain, kind);
    dispatch.execute(() -> listeners.forEach(l -> l.onDomainEvent(e)));
  }

  @Override
  public void addListener(LibvirtListener listener) {
    listeners.add(listener);
  }

  @Override
  public void removeListener(LibvirtListener listener) {
    listeners.remove(listener);
  }
}
