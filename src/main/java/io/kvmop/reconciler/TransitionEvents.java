package io.kvmop.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kvmop.status.Conditions;
import io.kvmop.status.Reasons;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events for what a user cares about, emitted only when a condition changes (so never
 * one per resync): Ready's reason (Warning for reasons that need a person) and IPAssigned; and what
 * kvmop did to a machine's domain (Defined, Started, Stopping, Stopped, ...). Events are sent by
 * one thread of their own, in order, off the reconcile (a burst of a thousand machines does not
 * wait for three thousand event writes before its status); when more than {@link #BACKLOG} wait,
 * Normal ones are dropped first (a Warning takes the place of the oldest Normal one) and counted in
 * the log. Failing to record an event never fails a reconcile.
 */
final class TransitionEvents {
  private static final Logger LOG = LoggerFactory.getLogger(TransitionEvents.class);
  static final Set<String> WARNINGS =
      Set.of(
          Reasons.INVALID_SPEC,
          Reasons.UNREADABLE,
          Reasons.NAME_CONFLICT,
          Reasons.INVALID_IMAGE,
          Reasons.IMAGE_PATH_REFUSED,
          Reasons.IMAGE_CHECKSUM_MISMATCH,
          Reasons.IMAGE_DOWNLOAD_FAILED,
          Reasons.DISK_SHRINK_REFUSED,
          Reasons.DISK_CHANGE_REFUSED,
          Reasons.STORAGE_POOL_CONFLICT,
          Reasons.SECRET_NOT_FOUND,
          Reasons.ADDRESS_CONFLICT,
          Reasons.KVM_UNAVAILABLE,
          Reasons.LIBVIRT_ERROR,
          Reasons.LIBVIRT_UNAVAILABLE,
          Reasons.LIBVIRT_PERMISSION_DENIED,
          Reasons.KVM_MODULES_MISSING,
          Reasons.DEV_KVM_PERMISSION_DENIED,
          Reasons.DYNAMIC_OWNERSHIP_FAILED,
          Reasons.NETWORK_NOT_FOUND,
          Reasons.HOST_ERROR,
          Reasons.NO_IP_ADDRESS,
          Reasons.IN_USE);

  static final int BACKLOG = 10_000;

  private final String node;
  private final Clock clock;
  private final EventBacklog backlog = new EventBacklog(BACKLOG);
  private Thread sender;

  /**
   * What was last reported per resource and condition. The previous status a reconcile sees can lag
   * behind kvmop's own last write, so it only decides after an agent restart.
   */
  private final java.util.Map<String, String> lastReported =
      new java.util.concurrent.ConcurrentHashMap<>();

  TransitionEvents(String node, Clock clock) {
    this.node = node;
    this.clock = clock;
  }

  void record(
      KubernetesClient client, HasMetadata r, List<Condition> before, List<Condition> after) {
    Optional<Condition> oldReady = Conditions.find(before, Conditions.READY);
    Optional<Condition> newReady = Conditions.find(after, Conditions.READY);
    if (newReady.isPresent() && isNews(r, Conditions.READY, oldReady, newReady.get())) {
      Condition c = newReady.get();
      emit(
          client,
          r,
          WARNINGS.contains(c.getReason()) ? "Warning" : "Normal",
          c.getReason(),
          c.getMessage());
    }
    Optional<Condition> oldIp = Conditions.find(before, "IPAssigned");
    Optional<Condition> newIp = Conditions.find(after, "IPAssigned");
    if (newIp.isPresent()
        && Conditions.TRUE.equals(newIp.get().getStatus())
        && !oldIp.map(o -> Conditions.TRUE.equals(o.getStatus())).orElse(false)) {
      emit(client, r, "Normal", "IPAssigned", newIp.get().getMessage());
    }
  }

  private boolean isNews(HasMetadata r, String type, Optional<Condition> old, Condition now) {
    String key = r.getMetadata().getUid() + "/" + type;
    String value = now.getStatus() + "/" + now.getReason();
    String previous = lastReported.put(key, value);
    if (previous != null) {
      return !previous.equals(value);
    }
    return changed(old, now);
  }

  void forget(HasMetadata r) {
    lastReported.keySet().removeIf(k -> k.startsWith(r.getMetadata().getUid() + "/"));
  }

  private static boolean changed(Optional<Condition> old, Condition now) {
    return old.isEmpty()
        || !Objects.equals(old.get().getStatus(), now.getStatus())
        || !Objects.equals(old.get().getReason(), now.getReason());
  }

  /** Something kvmop did, such as starting a domain again: always news. */
  void did(KubernetesClient client, HasMetadata r, String reason, String message) {
    emit(client, r, "Normal", reason, message);
  }

  private void dropped() {
    long n = backlog.dropped();
    if (n == 1 || n % 1000 == 0) {
      LOG.warn(
          "{} events dropped: more than {} were waiting to be sent (Normal ones first)",
          n,
          BACKLOG);
    }
  }

  /** Events are sent by one thread of their own, started with the first. */
  private synchronized void startSender() {
    if (sender == null) {
      sender = new Thread(this::send, "kvmop-events");
      sender.setDaemon(true);
      sender.start();
    }
  }

  private void send() {
    try {
      while (!Thread.currentThread().isInterrupted()) {
        backlog.take().send().run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void emit(
      KubernetesClient client, HasMetadata r, String type, String reason, String message) {
    io.fabric8.kubernetes.api.model.Event e = event(r, type, reason, message);
    String ns = e.getMetadata().getNamespace();
    startSender();
    boolean queued =
        backlog.offer(
            new EventBacklog.Pending(
                "Warning".equals(type),
                () -> {
                  try {
                    client.v1().events().inNamespace(ns).resource(e).create();
                  } catch (KubernetesClientException x) {
                    LOG.warn(
                        "could not record event {} for {}: {}",
                        reason,
                        r.getMetadata().getName(),
                        x.getMessage());
                  }
                }));
    if (!queued) {
      dropped();
    }
  }

  private io.fabric8.kubernetes.api.model.Event event(
      HasMetadata r, String type, String reason, String message) {
    String ns = r.getMetadata().getNamespace() == null ? "default" : r.getMetadata().getNamespace();
    String now = clock.instant().toString();
    return new EventBuilder()
        .withNewMetadata()
        .withGenerateName(r.getMetadata().getName() + ".")
        .withNamespace(ns)
        .endMetadata()
        .withInvolvedObject(
            new ObjectReferenceBuilder()
                .withApiVersion(r.getApiVersion())
                .withKind(r.getKind())
                .withName(r.getMetadata().getName())
                .withNamespace(r.getMetadata().getNamespace())
                .withUid(r.getMetadata().getUid())
                .build())
        .withType(type)
        .withReason(reason)
        .withMessage(
            message == null ? "" : message.length() > 1000 ? message.substring(0, 1000) : message)
        .withNewSource()
        .withComponent("kvmop")
        .withHost(node)
        .endSource()
        .withReportingComponent("kvmop.io/agent")
        .withReportingInstance(node)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .build();
  }
}
