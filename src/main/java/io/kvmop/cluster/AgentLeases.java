package io.kvmop.cluster;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a node's kvmop agent is alive: it holds its node Lease now (renewed within the Lease's
 * duration, with some leeway for clocks). A KvmHost without one is stale, whatever its status says.
 * Each node's Lease is read at most every {@link #TTL} (one GET, which the agent's RBAC allows).
 */
public final class AgentLeases {
  static final Duration TTL = Duration.ofSeconds(5);

  /** Leeway for clocks between nodes when a Lease's renewal is judged. */
  static final Duration SKEW = Duration.ofSeconds(5);

  private record Seen(boolean held, Instant read) {}

  private final String namespace;
  private final Clock clock;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  AgentLeases(String namespace, Clock clock) {
    this.namespace = namespace;
    this.clock = clock;
  }

  boolean held(KubernetesClient client, String node) {
    Instant now = clock.instant();
    Seen s = seen.get(node);
    if (s == null || s.read().plus(TTL).isBefore(now)) {
      s = new Seen(read(client, node, now), now);
      seen.put(node, s);
    }
    return s.held();
  }

  /**
   * Whether the node's agent had a Lease and stopped renewing it (past its duration and the
   * leeway), read now: a node that never had one is not judged silent.
   */
  boolean silent(KubernetesClient client, String node) {
    Lease lease = client.leases().inNamespace(namespace).withName(NodeLease.nameFor(node)).get();
    if (lease == null || lease.getSpec() == null || lease.getSpec().getRenewTime() == null) {
      return false;
    }
    return !read(client, node, clock.instant());
  }

  private boolean read(KubernetesClient client, String node, Instant now) {
    Lease lease = client.leases().inNamespace(namespace).withName(NodeLease.nameFor(node)).get();
    if (lease == null || lease.getSpec() == null) {
      return false;
    }
    var spec = lease.getSpec();
    if (spec.getHolderIdentity() == null
        || spec.getHolderIdentity().isBlank()
        || spec.getRenewTime() == null) {
      return false;
    }
    int seconds =
        spec.getLeaseDurationSeconds() == null
            ? (int) NodeLease.LEASE_DURATION.toSeconds()
            : spec.getLeaseDurationSeconds();
    return spec.getRenewTime().toInstant().plusSeconds(seconds).plus(SKEW).isAfter(now);
  }
}
