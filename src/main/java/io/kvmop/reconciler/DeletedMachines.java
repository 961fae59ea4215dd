package io.kvmop.reconciler;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.placement.Placement;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes removing machines whose KvmMachine went away before this node had removed them: someone
 * took this node's finalizer off a machine being deleted (what people do when a deletion hangs), so
 * the object is gone and JOSDK's cleanup never runs. The node in status decides, not the finalizer:
 * on the informer's delete, with the machine's last known spec (so its reclaimPolicy holds), the
 * domain and its volumes are removed just as cleanup would have. A machine deleted that way while
 * this agent was down leaves a marked domain and no object: found once at start, its domain is
 * stopped and undefined and its volumes are kept (the reclaimPolicy went with the object), each
 * named in the log with the command that deletes it.
 *
 * <p>A machine is only taken for deleted when the API server says no KvmMachine of that name exists
 * (or, on a delete event, only one with another uid): a label moved away makes the informer report
 * a delete too, and that machine is still there.
 */
public final class DeletedMachines extends AbstractEventSource<KvmMachine, KvmMachine>
    implements ResourceEventAware<KvmMachine> {
  private static final Logger LOG = LoggerFactory.getLogger(DeletedMachines.class);
  private static final Duration RETRY = Duration.ofSeconds(10);

  private final String node;
  private final LibvirtPort libvirt;
  private final BiFunction<KvmMachine, KubernetesClient, Optional<Duration>> remove;
  private final Set<String> removing = ConcurrentHashMap.newKeySet();
  private final Set<String> cleanedUp = ConcurrentHashMap.newKeySet();
  private volatile KubernetesClient client;
  private volatile ScheduledExecutorService worker;
  private volatile io.kvmop.machine.NodeFencing fencing;
  private volatile java.util.function.BiConsumer<
          KvmMachine, java.util.List<io.kvmop.status.Happened>>
      report = (m, done) -> {};

  /**
   * @param remove removes what this node has of a machine: empty once nothing is left, else how
   *     soon to go on (a guest given time to shut down)
   */
  public DeletedMachines(
      String node,
      LibvirtPort libvirt,
      BiFunction<KvmMachine, KubernetesClient, Optional<Duration>> remove) {
    super(KvmMachine.class, "deleted-machines");
    this.node = node;
    this.libvirt = libvirt;
    this.remove = remove;
  }

  void useClient(KubernetesClient client) {
    this.client = client;
  }

  KubernetesClient client() {
    return client;
  }

  /**
   * A domain found at start whose machine failed over away from this node is removed (never
   * started) through {@code fencing}; {@code report} tells the machine what was done.
   */
  void staleCopies(
      io.kvmop.machine.NodeFencing fencing,
      java.util.function.BiConsumer<KvmMachine, java.util.List<io.kvmop.status.Happened>> report) {
    this.fencing = fencing;
    this.report = report;
  }

  @Override
  public void start() {
    worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kvmop-deleted-machines");
              t.setDaemon(true);
              return t;
            });
    super.start();
  }

  @Override
  public void stop() {
    var w = worker;
    if (w != null) {
      w.shutdownNow();
    }
    super.stop();
  }

  @Override
  public Set<KvmMachine> getSecondaryResources(KvmMachine primary) {
    return Set.of();
  }

  /** The machine's cleanup ran to its end: its delete is the usual one, nothing is left to do. */
  void cleanedUp(String uid) {
    cleanedUp.add(uid);
  }

  @Override
  public void onResourceDeleted(KvmMachine m) {
    if (cleanedUp.remove(m.getMetadata().getUid()) || !ranHere(m)) {
      return; // another node has its domain: its agent removes it
    }
    later(m, Duration.ZERO, true);
  }

  /**
   * The marked domains of machines that no longer exist, found once the caches are filled: {@code
   * known} are the uids this node's controller has.
   */
  public void sweep(Set<String> known) {
    for (String name : libvirt.domains().listDomainNames()) {
      if (!name.startsWith("kvmop-")) {
        continue;
      }
      Optional<DomainXml.Owner> mark =
          libvirt.domains().findDomain(name).map(DomainState::config).map(DomainXml::owner);
      if (mark.isEmpty()
          || mark.get().uid() == null
          || mark.get().namespace() == null
          || mark.get().name() == null
          || known.contains(mark.get().uid())) {
        continue;
      }
      later(remnant(mark.get()), Duration.ZERO, false);
    }
  }

  /** A machine as its domain's mark knows it: no disks (their policy is gone), kept by removal. */
  private KvmMachine remnant(DomainXml.Owner mark) {
    KvmMachine m = new KvmMachine();
    m.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace(mark.namespace())
            .withName(mark.name())
            .withUid(mark.uid())
            .build());
    m.setSpec(new KvmMachineSpec());
    m.setStatus(new KvmMachineStatus());
    m.getStatus().nodeName = node;
    return m;
  }

  /** Whether this node had the machine's domain: status decides, the label only before it. */
  private boolean ranHere(KvmMachine m) {
    String decided = m.getStatus() == null ? null : m.getStatus().nodeName;
    return decided == null ? node.equals(Placement.placedOn(m).orElse(null)) : node.equals(decided);
  }

  private void later(KvmMachine m, Duration after, boolean deleteSeen) {
    var w = worker;
    if (w == null || w.isShutdown()) {
      return;
    }
    String uid = m.getMetadata().getUid();
    if (after.isZero() && !removing.add(uid)) {
      return; // already on its way out
    }
    w.schedule(() -> step(m, deleteSeen), after.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void step(KvmMachine m, boolean deleteSeen) {
    String uid = m.getMetadata().getUid();
    try {
      KvmMachine now = current(m);
      if (!deleteSeen
          && now != null
          && uid.equals(now.getMetadata().getUid())
          && fencing != null
          && fencing.movedAway(now)) {
        var done = fencing.removeStale(now);
        removing.remove(uid);
        if (!done.isEmpty()) {
          LOG.warn(
              "KvmMachine {}/{} failed over to node {} while this node was away: its stale domain"
                  + " here was removed, never started",
              now.getMetadata().getNamespace(),
              now.getMetadata().getName(),
              now.getStatus().nodeName);
          report.accept(now, done);
        }
        return;
      }
      if (stillThere(m, now, deleteSeen)) {
        removing.remove(uid);
        return;
      }
      if (!deleteSeen) {
        LOG.warn(
            "domain of KvmMachine {}/{} (uid {}): that machine was deleted while this agent was"
                + " down and nothing removed it; removing the domain, keeping its volumes (their"
                + " reclaimPolicy went with the object): they stay in kvmop's storage pool, their names"
                + " holding {}",
            m.getMetadata().getNamespace(),
            m.getMetadata().getName(),
            uid,
            uid.replace("-", "").substring(0, 8));
      }
      Optional<Duration> wait = remove.apply(m, client);
      if (wait.isPresent()) {
        var w = worker;
        if (w != null && !w.isShutdown()) {
          w.schedule(() -> step(m, deleteSeen), wait.get().toMillis(), TimeUnit.MILLISECONDS);
        }
        return;
      }
      removing.remove(uid);
      LOG.info(
          "KvmMachine {}/{} is gone and so is everything of it on node {}",
          m.getMetadata().getNamespace(),
          m.getMetadata().getName(),
          node);
    } catch (RuntimeException e) {
      LOG.warn(
          "removing what is left of KvmMachine {}/{}: {}; trying again in {} s",
          m.getMetadata().getNamespace(),
          m.getMetadata().getName(),
          e.toString(),
          RETRY.toSeconds());
      var w = worker;
      if (w != null && !w.isShutdown()) {
        w.schedule(() -> step(m, deleteSeen), RETRY.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  /**
   * Whether the machine still exists (its label merely moved, or this agent's view is behind): a
   * delete seen gives way only to the same uid; a domain found at start to any machine of its name,
   * since a recreated machine shows its domain's conflict and loses nothing.
   */
  private boolean stillThere(KvmMachine m, KvmMachine now, boolean deleteSeen) {
    if (now == null) {
      return false;
    }
    return !deleteSeen || m.getMetadata().getUid().equals(now.getMetadata().getUid());
  }

  /** The machine of that name as the API server has it now; null when there is none. */
  private KvmMachine current(KvmMachine m) {
    try {
      return client
          .resources(KvmMachine.class)
          .inNamespace(m.getMetadata().getNamespace())
          .withName(m.getMetadata().getName())
          .get();
    } catch (KubernetesClientException e) {
      throw new IllegalStateException("cannot tell whether it still exists: " + e.getMessage(), e);
    }
  }
}
