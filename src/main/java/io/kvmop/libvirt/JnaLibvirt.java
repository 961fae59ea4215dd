package io.kvmop.libvirt;

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
  private final JnaSecrets secrets;
  private final JnaSnapshots snapshots;
  private final JnaLive live;
  private final JnaMigrations migrations;

  public JnaLibvirt(String uri) {
    LibvirtEventLoop.ensureRunning();
    this.events = LibvirtEvents.start();
    this.connection = new LibvirtConnection(uri, events);
    this.calls = new LibvirtCalls(connection);
    this.networks = new JnaNetworks(calls);
    this.domains = new JnaDomains(calls, events.own());
    this.host = new JnaHost(calls);
    this.storage = new JnaStorage(calls);
    this.secrets = new JnaSecrets(calls);
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
  public NetworkPort networks() {
    return networks;
  }

  @Override
  public DomainPort domains() {
    return domains;
  }

  @Override
  public HostPort host() {
    return host;
  }

  @Override
  public StoragePort storage() {
    return storage;
  }

  @Override
  public SecretPort secrets() {
    return secrets;
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
  public EventPort events() {
    return new EventPort() {
      @Override
      public void addListener(LibvirtListener listener) {
        events.add(listener);
      }

      @Override
      public void removeListener(LibvirtListener listener) {
        events.remove(listener);
      }
    };
  }

  @Override
  public void close() {
    connection.close();
    events.close();
  }
}
