package io.kvmop.reconciler;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.kvmop.api.KvmNetwork;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtListener;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.NetworkEvent;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns libvirt network events into reconciles of the KvmNetwork that owns the network: a network
 * destroyed, undefined or redefined by hand is repaired as soon as libvirt says so.
 *
 * <p>libvirt raises no event when a network's autostart flag changes, so that one flag is read for
 * the tracked networks every {@code autostartCheck}; nothing else is polled.
 */
public final class LibvirtNetworkEventSource extends AbstractEventSource<NetworkEvent, KvmNetwork>
    implements LibvirtListener {
  private static final Logger LOG = LoggerFactory.getLogger(LibvirtNetworkEventSource.class);

  private record Tracked(ResourceID id, boolean autostart) {}

  private final LibvirtPort libvirt;
  private final Duration autostartCheck;
  private final Map<String, Tracked> byLibvirtName = new ConcurrentHashMap<>();
  private final Map<ResourceID, String> byResource = new ConcurrentHashMap<>();
  private ScheduledExecutorService poller;

  public LibvirtNetworkEventSource(LibvirtPort libvirt, Duration autostartCheck) {
    super(NetworkEvent.class, "libvirt-networks");
    this.libvirt = libvirt;
    this.autostartCheck = autostartCheck;
  }

  /** Called by the reconciler for every resource it reconciles on this node. */
  public void track(ResourceID id, String libvirtName, boolean autostart) {
    String previous = byResource.put(id, libvirtName);
    if (previous != null && !previous.equals(libvirtName)) {
      byLibvirtName.remove(previous);
    }
    byLibvirtName.put(libvirtName, new Tracked(id, autostart));
  }

  public void untrack(ResourceID id) {
    String name = byResource.remove(id);
    if (name != null) {
      byLibvirtName.remove(name);
    }
  }

  /** Reconcile every tracked resource, e.g. after one that blocked others went away. */
  public void triggerAll() {
    if (isRunning()) {
      byResource.keySet().forEach(id -> getEventHandler().handleEvent(new Event(id)));
    }
  }

  @Override
  public void onNetworkEvent(NetworkEvent event) {
    Tracked t = byLibvirtName.get(event.network());
    if (t != null && isRunning()) {
      LOG.debug("libvirt network {} {}: reconciling {}", event.network(), event.kind(), t.id());
      getEventHandler().handleEvent(new Event(t.id()));
    }
  }

  @Override
  public void onReconnect() {
    triggerAll();
  }

  private void checkAutostart() {
    for (var e : byLibvirtName.entrySet()) {
      try {
        Optional<Boolean> autostart = libvirt.networks().networkAutostart(e.getKey());
        if (autostart.isPresent() && autostart.get() != e.getValue().autostart()) {
          LOG.info("autostart of libvirt network {} was changed outside kvmop", e.getKey());
          getEventHandler().handleEvent(new Event(e.getValue().id()));
        }
      } catch (LibvirtError err) {
        LOG.debug("autostart check of {}: {}", e.getKey(), err.getMessage());
      }
    }
  }

  @Override
  public Set<NetworkEvent> getSecondaryResources(KvmNetwork primary) {
    return Set.of();
  }

  @Override
  public void start() {
    libvirt.events().addListener(this);
    poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "libvirt-autostart-check");
              t.setDaemon(true);
              return t;
            });
    long ms = autostartCheck.toMillis();
    poller.scheduleWithFixedDelay(this::checkAutostart, ms, ms, TimeUnit.MILLISECONDS);
    super.start();
  }

  @Override
  public void stop() {
    libvirt.events().removeListener(this);
    if (poller != null) {
      poller.shutdownNow();
    }
    super.stop();
  }
}
