package io.kvmop.libvirt;

import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.libvirt.xml.NetworkXml;
import java.util.List;
import java.util.Optional;

/**
 * {@link LibvirtPort} over libvirt-java and JNA: a thin front over one shared connection ({@link
 * LibvirtConnection}), its events ({@link LibvirtEvents}), timed calls ({@link LibvirtCalls}) and
 * one class per kind of object: networks, domains, storage, the host.
 */
public final class JnaLibvirt implements LibvirtPort, AutoCloseable {
  private final LibvirtEvents events;
  private final LibvirtConnection connection;
  private final LibvirtCalls calls;
  private final JnaNetworks networks;
  private final JnaDomains domains;
  private final JnaHost host;
  private final JnaStorage storage;
  private final JnaSnapshots snapshots;
  private final JnaLive live;
  private final JnaMigrations migrations;

  public JnaLibvirt(String uri) {
    LibvirtEventLoop.ensureRunning();
    this.events = LibvirtEvents.start();
    this.connection = new LibvirtConnection(uri, events);
    this.calls = new LibvirtCalls(connection);
    this.networks = new JnaNetworks(calls);
    this.domains = new JnaDomains(calls);
    this.host = new JnaHost(calls);
    this.storage = new JnaStorage(calls);
    this.snapshots = new JnaSnapshots(calls);
    this.live = new JnaLive(calls);
    this.migrations = new JnaMigrations(calls);
    connection.onReconnect(
        () -> {
          calls.observer().reconnected();
          events.reconnected();
        });
    connection.get();
  }

  @Override
  public void echoing(String domain, String kind, Runnable call) {
    OwnEvents own = events.own();
    own.expect(domain, kind, System.nanoTime());
    try {
      call.run();
    } catch (RuntimeException e) {
      own.cancel(domain, kind);
      throw e;
    }
  }

  @Override
  public String uri() {
    return connection.uri();
  }

  /** True while a live connection is held (for readiness). */
  public boolean connected() {
    return connection.connected();
  }

  /** Every call and reconnect is reported here from now on. */
  public void observe(CallObserver observer) {
    calls.observe(observer);
  }

  /** The calls on this port's connection, for code of this package (and its tests). */
  LibvirtCalls calls() {
    return calls;
  }

  @Override
  public Optional<NetworkState> findNetwork(String name) {
    return networks.findNetwork(name);
  }

  @Override
  public List<NetworkState> listNetworks() {
    return networks.listNetworks();
  }

  @Override
  public void defineNetwork(NetworkXml xml) {
    networks.defineNetwork(xml);
  }

  @Override
  public void startNetwork(String name) {
    networks.startNetwork(name);
  }

  @Override
  public void stopNetwork(String name) {
    networks.stopNetwork(name);
  }

  @Override
  public void undefineNetwork(String name) {
    networks.undefineNetwork(name);
  }

  @Override
  public void setNetworkAutostart(String name, boolean autostart) {
    networks.setNetworkAutostart(name, autostart);
  }

  @Override
  public Optional<Boolean> networkAutostart(String name) {
    return networks.networkAutostart(name);
  }

  @Override
  public void updateRunningNetwork(String name, NetworkUpdate update) {
    networks.updateRunningNetwork(name, update);
  }

  @Override
  public Optional<List<DhcpLease>> dhcpLeases(String name) {
    return networks.dhcpLeases(name);
  }

  @Override
  public Optional<DomainState> findDomain(String name) {
    return domains.findDomain(name);
  }

  @Override
  public List<String> listDomainNames() {
    return domains.listDomainNames();
  }

  @Override
  public void defineDomain(DomainXml xml) {
    domains.defineDomain(xml);
  }

  @Override
  public void startDomain(String name) {
    domains.startDomain(name);
  }

  @Override
  public void destroyDomain(String name) {
    domains.destroyDomain(name);
  }

  @Override
  public ConsoleStream openConsole(String name, boolean force) {
    return JnaConsole.open(calls, name, force);
  }

  @Override
  public void suspendDomain(String name) {
    domains.suspendDomain(name);
  }

  @Override
  public void resumeDomain(String name) {
    domains.resumeDomain(name);
  }

  @Override
  public void undefineDomain(String name) {
    domains.undefineDomain(name);
  }

  @Override
  public void shutdownDomain(String name, boolean viaAgent) {
    domains.shutdownDomain(name, viaAgent);
  }

  @Override
  public Optional<List<GuestNic>> agentInterfaces(String domainName) {
    return domains.agentInterfaces(domainName);
  }

  @Override
  public Optional<String> domainCapabilitiesError(String virtType) {
    return host.domainCapabilitiesError(virtType);
  }

  @Override
  public String version() {
    return host.version();
  }

  @Override
  public HostFacts hostFacts(String virtType) {
    return host.hostFacts(virtType);
  }

  @Override
  public StoragePort storage() {
    return storage;
  }

  @Override
  public SnapshotPort snapshots() {
    return snapshots;
  }

  @Override
  public LivePort live() {
    return live;
  }

  @Override
  public MigrationPort migrations() {
    return migrations;
  }

  @Override
  public void addListener(LibvirtListener listener) {
    events.add(listener);
  }

  @Override
  public void removeListener(LibvirtListener listener) {
    events.remove(listener);
  }

  @Override
  public void close() {
    connection.close();
    events.close();
  }
}
