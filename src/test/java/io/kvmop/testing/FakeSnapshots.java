package io.kvmop.testing;

import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.Operation;
import io.kvmop.libvirt.Operation.Step;
import io.kvmop.libvirt.SnapshotPort;
import io.kvmop.libvirt.SnapshotState;
import io.kvmop.libvirt.xml.SnapshotXml;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** In-memory snapshots of {@link FakeLibvirt}'s domains, with its failure switches. */
public final class FakeSnapshots implements SnapshotPort {
  private final FakeLibvirt libvirt;
  private final Map<String, Map<String, SnapshotState>> byDomain = new LinkedHashMap<>();
  public int frozen;

  /** When false, the guest agent does not answer (freeze and thaw fail as libvirt's do). */
  public boolean agent = true;

  FakeSnapshots(FakeLibvirt libvirt) {
    this.libvirt = libvirt;
  }

  private DomainState domain(Step operation, String name) {
    libvirt.record(operation);
    return libvirt
        .domains()
        .findDomain(name)
        .orElseThrow(
            () -> new LibvirtError(operation.text(), "VIR_ERR_NO_DOMAIN", "", "no domain " + name));
  }

  @Override
  public synchronized List<SnapshotState> listSnapshots(String domain) {
    domain(Operation.LIST_SNAPSHOTS.as("list snapshots of " + domain), domain);
    return new ArrayList<>(byDomain.getOrDefault(domain, Map.of()).values());
  }

  @Override
  public synchronized Optional<SnapshotState> findSnapshot(String domain, String name) {
    libvirt.record(Operation.LOOK_UP_SNAPSHOT.on(name));
    return Optional.ofNullable(byDomain.getOrDefault(domain, Map.of()).get(name));
  }

  @Override
  public synchronized void createSnapshot(String domain, SnapshotXml xml) {
    DomainState d = domain(Operation.CREATE_SNAPSHOT.on(xml.name()), domain);
    boolean active = d.state() != DomainState.RunState.SHUTOFF;
    byDomain
        .computeIfAbsent(domain, k -> new LinkedHashMap<>())
        .put(
            xml.name(),
            new SnapshotState(
                xml.name(),
                xml.description(),
                active ? "running" : "shutoff",
                java.time.Instant.now().getEpochSecond(),
                active));
  }

  @Override
  public synchronized void revertToSnapshot(String domain, String name, Then then) {
    domain(Operation.REVERT_DOMAIN.on(domain), domain);
    SnapshotState s = byDomain.getOrDefault(domain, Map.of()).get(name);
    if (s == null) {
      throw new LibvirtError("revert", "VIR_ERR_NO_DOMAIN_SNAPSHOT", "", "no snapshot " + name);
    }
    boolean running =
        libvirt.domains().findDomain(domain).orElseThrow().state() != DomainState.RunState.SHUTOFF;
    if (running) {
      libvirt.domains().destroyDomain(domain);
    }
    if (then != Then.AS_TAKEN || s.memory()) {
      libvirt.domains().startDomain(domain);
      if (then == Then.PAUSE) {
        libvirt.domains().suspendDomain(domain);
      }
    }
  }

  @Override
  public synchronized void deleteSnapshot(String domain, String name) {
    domain(Operation.DELETE_SNAPSHOT.on(name), domain);
    if (byDomain.getOrDefault(domain, Map.of()).remove(name) == null) {
      throw new LibvirtError("delete", "VIR_ERR_NO_DOMAIN_SNAPSHOT", "", "no snapshot " + name);
    }
  }

  /** Called when the domain is undefined: its snapshots' metadata goes with it. */
  synchronized void forget(String domain) {
    byDomain.remove(domain);
  }

  @Override
  public synchronized int freezeFilesystems(String domain) {
    domain(Operation.FREEZE_FILESYSTEMS.as("freeze filesystems of " + domain), domain);
    if (!agent) {
      throw new LibvirtError(
          "freeze", "VIR_ERR_AGENT_UNRESPONSIVE", "", "QEMU guest agent is not connected");
    }
    frozen++;
    return 1;
  }

  @Override
  public synchronized int thawFilesystems(String domain) {
    domain(Operation.THAW_FILESYSTEMS.as("thaw filesystems of " + domain), domain);
    if (!agent) {
      throw new LibvirtError(
          "thaw", "VIR_ERR_AGENT_UNRESPONSIVE", "", "QEMU guest agent is not connected");
    }
    int n = frozen > 0 ? 1 : 0;
    frozen = 0;
    return n;
  }
}
