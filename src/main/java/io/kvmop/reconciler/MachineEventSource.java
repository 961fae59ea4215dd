package io.kvmop.reconciler;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.kvmop.api.KvmMachine;
import io.kvmop.libvirt.DomainEvent;
import io.kvmop.libvirt.LibvirtListener;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.machine.NetworkLeases;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a KvmMachine when libvirt reports a lifecycle event for its domain (destroyed,
 * undefined, redefined, started, shut down), and, while it waits for an address, when dnsmasq
 * writes a lease on its network: libvirt's dnsmasq writes each network's leases to a JSON status
 * file named after the bridge the moment it grants one, so a file watch sees a new address with no
 * polling delay, and only the machines on that network look.
 */
public final class MachineEventSource extends AbstractEventSource<DomainEvent, KvmMachine>
    implements LibvirtListener {
  private static final Logger LOG = LoggerFactory.getLogger(MachineEventSource.class);

  private final LibvirtPort libvirt;
  private final Path leaseDir;
  private final NetworkLeases leases;
  private final Map<String, ResourceID> byDomain = new ConcurrentHashMap<>();
  private final Map<ResourceID, String> byResource = new ConcurrentHashMap<>();
  private final LeaseWaiters waitingForIp = new LeaseWaiters();
  private WatchService watcher;
  private Thread watchThread;

  /**
   * @param leaseDir libvirt's dnsmasq state directory (/var/lib/libvirt/dnsmasq); not watched when
   *     null or missing (libvirtd on another host, an agent without that mount)
   * @param leases told when the lease watch runs, and when dnsmasq wrote a lease (before the
   *     machines waiting are woken)
   */
  public MachineEventSource(LibvirtPort libvirt, Path leaseDir, NetworkLeases leases) {
    super(DomainEvent.class, "libvirt-domains");
    this.libvirt = libvirt;
    this.leaseDir = leaseDir;
    this.leases = leases;
  }

  /**
   * The machine's domain, and the bridges it waits for a lease on (empty: it waits for none; {@link
   * #ANY_BRIDGE}: a network kvmop does not name). A lease written on one of them since its pass
   * started ({@code passStarted}, System.nanoTime()) wakes it at once.
   */
  public void track(ResourceID id, String domainName, Set<String> leaseBridges, long passStarted) {
    String previous = byResource.put(id, domainName);
    if (previous != null && !previous.equals(domainName)) {
      byDomain.remove(previous);
    }
    byDomain.put(domainName, id);
    if (waitingForIp.waitFor(id, leaseBridges, passStarted) && isRunning()) {
      getEventHandler().handleEvent(new Event(id));
    }
  }

  /** Stands for a bridge kvmop does not know: any lease written wakes the machine. */
  public static final String ANY_BRIDGE = LeaseWaiters.ANY;

  public void untrack(ResourceID id) {
    String name = byResource.remove(id);
    if (name != null) {
      byDomain.remove(name);
    }
    waitingForIp.remove(id);
  }

  @Override
  public void onDomainEvent(DomainEvent event) {
    if (event.own()) {
      return; // the echo of this agent's define or start: that pass looked at the domain after it
    }
    ResourceID id = byDomain.get(event.domain());
    if (id != null && isRunning()) {
      LOG.debug("libvirt domain {} {}: reconciling {}", event.domain(), event.kind(), id);
      getEventHandler().handleEvent(new Event(id));
    }
  }

  @Override
  public void onReconnect() {
    if (isRunning()) {
      byResource.keySet().forEach(id -> getEventHandler().handleEvent(new Event(id)));
    }
  }

  private void watchLeases() {
    leases.watching(true);
    try {
      while (!Thread.currentThread().isInterrupted()) {
        WatchKey key = watcher.take();
        Set<ResourceID> wake = new java.util.HashSet<>();
        for (var e : key.pollEvents()) {
          if (e.kind() == StandardWatchEventKinds.OVERFLOW
              || String.valueOf(e.context()).endsWith(".status")) {
            leases.written(); // before the machines look: they read the new list
          }
          wake.addAll(
              e.kind() == StandardWatchEventKinds.OVERFLOW
                  ? waitingForIp.everyone()
                  : waitingForIp.changed(String.valueOf(e.context()), System.nanoTime()));
        }
        key.reset();
        if (isRunning()) {
          wake.forEach(id -> getEventHandler().handleEvent(new Event(id)));
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      Thread.currentThread().interrupt();
    } finally {
      leases.watching(false); // addresses are found by polling again
    }
  }

  @Override
  public Set<DomainEvent> getSecondaryResources(KvmMachine primary) {
    return Set.of();
  }

  @Override
  public void start() {
    libvirt.events().addListener(this);
    if (leaseDir != null && Files.isDirectory(leaseDir)) {
      try {
        watcher = FileSystems.getDefault().newWatchService();
        leaseDir.register(
            watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        watchThread = new Thread(this::watchLeases, "dnsmasq-lease-watch");
        watchThread.setDaemon(true);
        watchThread.start();
      } catch (IOException e) {
        LOG.warn("cannot watch {}: addresses are read by polling only", leaseDir, e);
      }
    }
    super.start();
  }

  @Override
  public void stop() {
    libvirt.events().removeListener(this);
    if (watcher != null) {
      try {
        watcher.close();
      } catch (IOException e) {
        LOG.debug("closing lease watch: {}", e.getMessage());
      }
    }
    super.stop();
  }
}
