package io.kvmop.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent per node: a coordination.k8s.io Lease named after the node, held by the agent that acts
 * for it. A second agent started for the same node (a manual run beside the DaemonSet, a pod that
 * outlives its replacement) waits until the holder stops or its lease expires, and acts on nothing
 * meanwhile. The holder renews the lease; if it cannot (another took it, or the API server was
 * unreachable past the renew deadline) it stops acting at once.
 */
public final class NodeLease implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeLease.class);
  public static final Duration LEASE_DURATION = Duration.ofSeconds(15);
  static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);
  static final Duration RETRY_PERIOD = Duration.ofSeconds(2);

  private final String namespace;
  private final String name;
  private final String identity;
  private final CountDownLatch leading = new CountDownLatch(1);
  private volatile String holder;
  private volatile boolean closing;
  private CompletableFuture<?> election;
  private volatile LeaseWatchdog watchdog;
  private final java.util.concurrent.atomic.AtomicBoolean lost =
      new java.util.concurrent.atomic.AtomicBoolean();

  private NodeLease(String namespace, String name, String identity) {
    this.namespace = namespace;
    this.name = name;
    this.identity = identity;
  }

  /** The Lease's name for a node. */
  public static String nameFor(String node) {
    return "kvmop-agent-" + node;
  }

  /**
   * Starts contending for the node's lease; {@code onLost} runs when this agent held it and lost it
   * (not when it is closed).
   */
  public static NodeLease contend(
      KubernetesClient client, String namespace, String node, String identity, Runnable onLost) {
    NodeLease lease = new NodeLease(namespace, nameFor(node), identity);
    lease.election =
        client
            .leaderElector()
            .withConfig(
                new LeaderElectionConfigBuilder()
                    .withName(lease.name)
                    .withLock(new LeaseLock(namespace, lease.name, identity))
                    .withLeaseDuration(LEASE_DURATION)
                    .withRenewDeadline(RENEW_DEADLINE)
                    .withRetryPeriod(RETRY_PERIOD)
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(
                        new LeaderCallbacks(
                            () -> {
                              lease.leading.countDown();
                              lease.watchdog =
                                  new LeaseWatchdog(
                                      client,
                                      namespace,
                                      lease.name,
                                      identity,
                                      RENEW_DEADLINE,
                                      () -> lease.lose(onLost));
                              lease.watchdog.start();
                            },
                            () -> lease.lose(onLost),
                            who -> {
                              lease.holder = who;
                              if (who != null && !lease.closing && !identity.equals(who)) {
                                LOG.warn(
                                    "node lease {}/{} is held by {}: another kvmop agent acts for"
                                        + " this node; this one ({}) waits",
                                    namespace,
                                    lease.name,
                                    who,
                                    identity);
                              }
                            }))
                    .build())
            .build()
            .start();
    return lease;
  }

  /** The lease is lost (the elector says so, or its watchdog does first): {@code onLost}, once. */
  private void lose(Runnable onLost) {
    if (closing || leading.getCount() != 0 || !lost.compareAndSet(false, true)) {
      return;
    }
    LOG.error("lost the lease {}/{} of this node: stopping", namespace, name);
    if (watchdog != null) {
      watchdog.close();
    }
    onLost.run();
  }

  /** Waits until this agent holds the lease; false when {@code max} passed first. */
  public boolean awaitHeld(Duration max) throws InterruptedException {
    return leading.await(max.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean held() {
    return leading.getCount() == 0 && !election.isDone() && !lost.get();
  }

  /** Who holds the lease as last seen (null before the first look). */
  public String holder() {
    return holder;
  }

  public String identity() {
    return identity;
  }

  /** Stops renewing and releases the lease, so that a successor need not wait for it to expire. */
  @Override
  public void close() {
    closing = true;
    if (watchdog != null) {
      watchdog.close();
    }
    if (election != null) {
      election.cancel(true);
    }
  }
}
