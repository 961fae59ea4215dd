package io.kvmop.testing;

import io.kvmop.libvirt.DomainPort;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.DomainState.RunState;
import io.kvmop.libvirt.GuestNic;
import io.kvmop.libvirt.Operation;
import io.kvmop.libvirt.Operation.Step;
import io.kvmop.libvirt.xml.DomainXml;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The fake's domains: defined, powered, undefined, each change a lifecycle event. */
public final class FakeDomains implements DomainPort {
  private final FakeLibvirt libvirt;
  private final Map<String, DomainState> domains = new HashMap<>();

  FakeDomains(FakeLibvirt libvirt) {
    this.libvirt = libvirt;
  }

  private void call(Step operation) {
    libvirt.record(operation);
  }

  private void emit(String domain, String kind) {
    libvirt.emit(domain, kind);
  }

  /** A domain migrated here from another fake: defined and running as it ran there. */
  synchronized void arrive(DomainState d) {
    call(Operation.MIGRATE_DOMAIN.as("migrate in domain " + d.name()));
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

  @Override
  public synchronized Optional<DomainState> findDomain(String name) {
    call(Operation.LOOK_UP_DOMAIN.on(name));
    return Optional.ofNullable(domains.get(name));
  }

  @Override
  public synchronized List<String> listDomainNames() {
    call(Operation.LIST_DOMAINS.alone());
    return List.copyOf(domains.keySet());
  }

  @Override
  public synchronized void defineDomain(DomainXml xml) {
    call(Operation.DEFINE_DOMAIN.on(xml.name()));
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
    call(Operation.START_DOMAIN.on(name));
    DomainState d = domains.get(name);
    domains.put(
        name,
        new DomainState(
            name, d.uuid(), d.persistent(), RunState.RUNNING, 1, d.config(), d.config()));
    emit(name, "STARTED");
  }

  @Override
  public synchronized void shutdownDomain(String name, boolean viaAgent) {
    call(Operation.SHUT_DOWN_DOMAIN.on(name));
    stop(name, DomainState.SHUTOFF_SHUTDOWN);
  }

  @Override
  public io.kvmop.libvirt.ConsoleStream openConsole(String name, boolean force) {
    throw new UnsupportedOperationException("no consoles in the fake");
  }

  @Override
  public synchronized void suspendDomain(String name) {
    call(Operation.SUSPEND_DOMAIN.on(name));
    DomainState d = domains.get(name);
    domains.put(
        name,
        new DomainState(name, d.uuid(), d.persistent(), RunState.PAUSED, 1, d.config(), d.live()));
    emit(name, "SUSPENDED");
  }

  @Override
  public synchronized void resumeDomain(String name) {
    call(Operation.RESUME_DOMAIN.on(name));
    DomainState d = domains.get(name);
    domains.put(
        name,
        new DomainState(name, d.uuid(), d.persistent(), RunState.RUNNING, 1, d.config(), d.live()));
    emit(name, "RESUMED");
  }

  @Override
  public synchronized void destroyDomain(String name) {
    call(Operation.DESTROY_DOMAIN.on(name));
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
  public void undefineDomain(String name) {
    synchronized (this) {
      call(Operation.UNDEFINE_DOMAIN.on(name));
      domains.remove(name);
    }
    // outside this fake's lock: the snapshot fake locks itself first, then this one (a revert)
    libvirt.snapshots.forget(name);
    emit(name, "UNDEFINED");
  }

  @Override
  public Optional<List<GuestNic>> agentInterfaces(String domainName) {
    return Optional.empty();
  }
}
