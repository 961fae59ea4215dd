package io.kvmop.testing;

import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtListener;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.Operation;
import io.kvmop.libvirt.Operation.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory libvirt for tests of the reconcile logic: networks, domains, leases, and failures
 * switched on per operation ("start domain", "define network", ...) with a libvirt error code.
 */
public final class FakeLibvirt implements LibvirtPort {
  private final Map<Operation, LibvirtError> failures = new HashMap<>();
  public final FakeNetworks networks = new FakeNetworks(this);
  public final FakeDomains domains = new FakeDomains(this);
  public final FakeHost host = new FakeHost(this);
  public final List<String> calls = new ArrayList<>();
  public final FakeStorage storage = new FakeStorage(this::call);
  public final FakeSnapshots snapshots = new FakeSnapshots(this);
  public final FakeSecrets secrets = new FakeSecrets(this);
  public final FakeLive live = new FakeLive(this);
  public final FakeMigrations migrations = new FakeMigrations(this);

  // never synchronized here: the part fakes lock themselves, then this hub (call); the hub's lock
  // taken first would invert that order and deadlock a migration's arrival with a pass
  void arrive(DomainState d) {
    domains.arrive(d);
  }

  void leave(String domain) {
    domains.leave(domain);
  }

  void replace(DomainState d) {
    domains.replace(d);
  }

  /** One call, as the failure switches see it (for the fakes beside this one). */
  void record(Step operation) {
    call(operation);
  }

  /** The next call of this kind fails with this libvirt error. */
  public void fail(Operation operation, String code, String message) {
    failures.put(operation, new LibvirtError(operation.label(), code, "", message));
  }

  /** A lease granted now: each one expires later than any granted before it, as dnsmasq's do. */
  public void lease(String network, String mac, String ip) {
    networks.lease(network, mac, ip);
  }

  public void clearLeases(String network) {
    networks.clearLeases(network);
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

  private synchronized void call(Step operation) {
    if (callCount++ == crashAt) {
      crashAt = -1;
      throw new Crash(operation.text());
    }
    calls.add(operation.text());
    LibvirtError e = failures.remove(operation.kind());
    if (e != null) {
      throw new LibvirtError(operation.text(), e.code(), e.errorDomain(), e.libvirtMessage());
    }
  }

  @Override
  public String uri() {
    return "fake:///";
  }

  @Override
  public io.kvmop.libvirt.NetworkPort networks() {
    return networks;
  }

  @Override
  public io.kvmop.libvirt.DomainPort domains() {
    return domains;
  }

  @Override
  public io.kvmop.libvirt.HostPort host() {
    return host;
  }

  @Override
  public io.kvmop.libvirt.EventPort events() {
    return new io.kvmop.libvirt.EventPort() {
      @Override
      public void addListener(LibvirtListener listener) {
        listeners.add(listener);
      }

      @Override
      public void removeListener(LibvirtListener listener) {
        listeners.remove(listener);
      }
    };
  }

  @Override
  public io.kvmop.libvirt.StoragePort storage() {
    return storage;
  }

  @Override
  public io.kvmop.libvirt.SecretPort secrets() {
    return secrets;
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

  void emit(String domain, String kind) {
    var e = new io.kvmop.libvirt.DomainEvent(domain, kind);
    dispatch.execute(() -> listeners.forEach(l -> l.onDomainEvent(e)));
  }
}
