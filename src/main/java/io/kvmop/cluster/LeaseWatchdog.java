package io.kvmop.cluster;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Self-fencing's own clock, apart from the leader elector: every second it reads the node Lease (a
 * GET given at most two seconds) and notes when it last saw this agent's renewal there. Once it has
 * seen none for the renew deadline it reports the Lease lost. The elector alone can wait far
 * longer: a request to an API server that stopped answering (a partition drops packets, a half-open
 * connection) hangs, and the elector only judges between requests.
 */
final class LeaseWatchdog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseWatchdog.class);
  private static final Duration READ_LIMIT = Duration.ofSeconds(2);

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final String identity;
  private final Duration deadline;
  private final Runnable lost;
  private final ScheduledExecutorService worker =
      Executors.newScheduledThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "kvmop-lease-watchdog");
            t.setDaemon(true);
            return t;
          });
  private volatile long confirmed = System.nanoTime();
  private final java.util.concurrent.atomic.AtomicBoolean fired =
      new java.util.concurrent.atomic.AtomicBoolean();

  LeaseWatchdog(
      KubernetesClient client,
      String namespace,
      String name,
      String identity,
      Duration deadline,
      Runnable lost) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.identity = identity;
    this.deadline = deadline;
    this.lost = lost;
  }

  /** From now on, this agent holds the Lease (just renewed). */
  void start() {
    confirmed = System.nanoTime();
    worker.scheduleWithFixedDelay(this::read, 1, 1, TimeUnit.SECONDS);
    worker.scheduleWithFixedDelay(this::judge, 500, 500, TimeUnit.MILLISECONDS);
  }

  private void read() {
    try {
      Lease l =
          CompletableFuture.supplyAsync(
                  () -> client.leases().inNamespace(namespace).withName(name).get())
              .get(READ_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      if (l != null
          && l.getSpec() != null
          && identity.equals(l.getSpec().getHolderIdentity())
          && l.getSpec().getRenewTime() != null
          && l.getSpec()
              .getRenewTime()
              .toInstant()
              .plus(NodeLease.LEASE_DURATION)
              .isAfter(Instant.now())) {
        confirmed = System.nanoTime();
      }
    } catch (Exception e) {
      // not confirmed: judge() decides when that has lasted too long
    }
  }

  private void judge() {
    long silent = System.nanoTime() - confirmed;
    if (silent > deadline.toNanos() && fired.compareAndSet(false, true)) {
      LOG.error(
          "no renewal of node lease {}/{} by this agent seen for {} s: taking the lease as lost",
          namespace,
          name,
          Duration.ofNanos(silent).toSeconds());
      // on a thread of its own: closing this watchdog interrupts its threads
      Thread t = new Thread(lost, "kvmop-lease-lost");
      t.setDaemon(false);
      t.start();
      worker.shutdown();
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
