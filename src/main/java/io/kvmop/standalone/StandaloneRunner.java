package io.kvmop.standalone;

import io.kvmop.libvirt.DomainEvent;
import io.kvmop.libvirt.LibvirtListener;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.NetworkEvent;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link StandaloneAgent} until stopped: a pass whenever a manifest changes, libvirt reports
 * an event, or a pass asked to look again (waiting for an address, a shutdown timeout).
 */
public final class StandaloneRunner implements LibvirtListener {
  private static final Logger LOG = LoggerFactory.getLogger(StandaloneRunner.class);
  private static final Duration IDLE = Duration.ofMinutes(5);

  private final StandaloneAgent agent;
  private final Path manifests;
  private final LibvirtPort libvirt;
  private final LinkedBlockingQueue<String> wake = new LinkedBlockingQueue<>();

  public StandaloneRunner(StandaloneAgent agent, Path manifests, LibvirtPort libvirt) {
    this.agent = agent;
    this.manifests = manifests;
    this.libvirt = libvirt;
  }

  @Override
  public void onNetworkEvent(NetworkEvent event) {
    wake.offer("network " + event.network());
  }

  @Override
  public void onDomainEvent(DomainEvent event) {
    wake.offer("domain " + event.domain());
  }

  @Override
  public void onReconnect() {
    wake.offer("reconnect");
  }

  /**
   * @param done checked after every pass; the loop returns true once it holds
   * @param deadline the loop returns false when this passes first (null: run until interrupted)
   */
  public boolean run(BooleanSupplier done, Instant deadline)
      throws IOException, InterruptedException {
    libvirt.events().addListener(this);
    try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
      register(watcher);
      Thread files = new Thread(() -> watchFiles(watcher), "manifest-watch");
      files.setDaemon(true);
      files.start();
      while (true) {
        wake.clear();
        StandaloneAgent.Pass pass = agent.reconcileOnce();
        if (done.getAsBoolean()) {
          return true;
        }
        Duration wait = pass.recheckAfter() == null ? IDLE : pass.recheckAfter();
        if (deadline != null) {
          Duration left = Duration.between(Instant.now(), deadline);
          if (left.isNegative()) {
            return false;
          }
          wait = wait.compareTo(left) < 0 ? wait : left;
        }
        String why = wake.poll(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
        LOG.debug("pass: {}", why == null ? "recheck" : why);
      }
    } finally {
      libvirt.events().removeListener(this);
    }
  }

  private void register(WatchService watcher) throws IOException {
    agent
        .requestsDir()
        .register(
            watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
    try (Stream<Path> dirs = Files.walk(manifests)) {
      for (Path d :
          dirs.filter(Files::isDirectory)
              .filter(d -> !d.getFileName().toString().startsWith(".") || d.equals(manifests))
              .toList()) {
        d.register(
            watcher,
            StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
      }
    }
  }

  private void watchFiles(WatchService watcher) {
    try {
      while (true) {
        var key = watcher.take();
        boolean manifestChanged =
            key.pollEvents().stream()
                .map(e -> String.valueOf(e.context()))
                .anyMatch(
                    n ->
                        !n.startsWith(".")
                            && (n.endsWith(".yaml")
                                || n.endsWith(".yml")
                                || n.endsWith(".request")
                                || !n.contains(".")));
        key.reset();
        if (manifestChanged) {
          wake.offer("manifests changed");
        }
      }
    } catch (InterruptedException | java.nio.file.ClosedWatchServiceException e) {
      Thread.currentThread().interrupt();
    }
  }
}
