package io.kvmop.reconciler;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.kvmop.api.KvmMachine;
import io.kvmop.libvirt.DomainEvent;
import io.kvmop.libvirt.LibvirtListener;
import io.kvmop.libvirt.LibvirtPort;
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
 * writes a lease: libvirt's dnsmasq writes each network's leases to a JSON status file the moment
 * it grants one, so a file watch sees a new address with no polling delay.
 */
public final class MachineEventSource extends AbstractEventSource<DomainEvent, KvmMachine>
    implements LibvirtListener {
  private static final Logger LOG = LoggerFactory.getLogger(MachineEventSource.class);

  private final LibvirtPort libvirt;
  private final Path leaseDir;
  private final Map<String, ResourceID> byDomain = new ConcurrentHashMap<>();
  private final Map<ResourceID, String> byResource = new ConcurrentHashMap<>();
  private final Set<ResourceID> waitingForIp = ConcurrentHashMap.newKeySet();
  private WatchService watcher;
  private Thread watchThread;

  /**
   * @param leaseDir libvirt's dnsmasq state directory (/var/lib/libvirt/dnsmasq); not watched when
   *     it does not exist (the test driver, an agent without that mount)
   */
  public MachineEventSource(LibvirtPort libvirt, Path leaseDir) {
    super(DomainEvent.class, "libvirt-domains");
    this.libvirt = libvirt;
    this.leaseDir = leaseDir;
  }

  public void track(ResourceID id, String domainName, boolean waitsForIp) {
    String previous = byResource.put(id, domainName);
    if (previous != null && !previous.equals(domainName)) {
      byDomain.remove(previous);
    }
    byDomain.put(domainName, id);
    if (waitsForIp) {
      waitingForIp.add(id);
    } else {
      waitingForIp.remove(id);
    }
  }

  public void untrack(ResourceID id) {
    String name = byResource.remove(id);
    if (name != null) {
      byDomain.remove(name);
    }
    waitingForIp.remove(id);
  }

  @Override
  public void onDomainEvent(DomainEvent event) {
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
    try {
      while (!Thread.currentThread().isInterrupted()) {
        WatchKey key = watcher.take();
        boolean leaseChanged =
            key.pollEvents().stream()
                .anyMatch(e -> String.valueOf(e.context()).endsWith(".status"));
        key.reset();
        if (leaseChanged && isRunning()) {
          waitingForIp.forEach(id -> getEventHandler().handleEvent(new Event(id)));
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public Set<DomainEvent> getSecondaryResources(KvmMachine primary) {
    return Set.of();
  }

  @Override
  public void start() {
    libvirt.addListener(this);
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
    libvirt.removeListener(this);
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
