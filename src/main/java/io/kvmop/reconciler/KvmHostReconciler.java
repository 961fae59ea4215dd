package io.kvmop.reconciler;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmHostSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.host.HostReporter;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * JOSDK glue for this node's KvmHost: the agent creates it, keeps its status current, and re-reads
 * the host's files (which raise no events) every {@code recheck}.
 */
@ControllerConfiguration(name = KvmHostReconciler.NAME)
public class KvmHostReconciler implements Reconciler<KvmHost> {
  public static final String NAME = "kvmhost";

  private final String node;
  private final HostReporter reporter;
  private final Duration recheck;
  private final StatusWriter statusWriter;

  public KvmHostReconciler(
      String node, HostReporter reporter, Duration recheck, boolean serverSideApply) {
    this.node = node;
    this.reporter = reporter;
    this.recheck = recheck;
    this.statusWriter = new StatusWriter(serverSideApply);
  }

  /** Creates this node's KvmHost when it does not exist; an admin's spec is never overwritten. */
  public static void ensureExists(KubernetesClient client, String node) {
    if (client.resources(KvmHost.class).withName(node).get() != null) {
      return;
    }
    KvmHost h = new KvmHost();
    h.setMetadata(new ObjectMetaBuilder().withName(node).build());
    h.setSpec(new KvmHostSpec());
    try {
      client.resource(h).create();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  /**
   * Tells {@code handler} of every KvmHost deleted (one watch for all that an agent does then).
   * Close the returned informer to stop.
   */
  public static io.fabric8.kubernetes.client.informers.SharedIndexInformer<KvmHost> onDeleted(
      KubernetesClient client, java.util.function.Consumer<KvmHost> handler) {
    return client
        .resources(KvmHost.class)
        .inform(
            new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
              @Override
              public void onAdd(KvmHost h) {}

              @Override
              public void onUpdate(KvmHost before, KvmHost after) {}

              @Override
              public void onDelete(KvmHost h, boolean finalStateUnknown) {
                handler.accept(h);
              }
            });
  }

  /**
   * Registers this node's KvmHost again after someone deleted it while the agent runs (with the
   * default spec), as kubelet keeps its Node.
   */
  public static void registerAgain(KubernetesClient client, String node) {
    try {
      ensureExists(client, node);
      LOG.info("KvmHost {} was deleted; registered it again", node);
    } catch (RuntimeException e) {
      LOG.warn("cannot register KvmHost {} again: {}", node, e.toString());
    }
  }

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(KvmHostReconciler.class);

  @Override
  public List<EventSource<?, KvmHost>> prepareEventSources(EventSourceContext<KvmHost> context) {
    var machines =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(KvmMachine.class, KvmHost.class)
                .withLabelSelector(KvmMachineReconciler.selectorFor(node))
                .withSecondaryToPrimaryMapper(
                    (KvmMachine m) ->
                        MachinePlacementReconciler.placedOn(m)
                            .map(n -> Set.of(new ResourceID(n)))
                            .orElse(Set.of()))
                .build(),
            context);
    return List.of(machines);
  }

  @Override
  public UpdateControl<KvmHost> reconcile(KvmHost host, Context<KvmHost> context) {
    if (!node.equals(host.getMetadata().getName())) {
      return UpdateControl.noUpdate(); // another node's agent reports that host
    }
    List<KvmMachine> machines =
        context.getSecondaryResources(KvmMachine.class).stream()
            .filter(m -> m.getMetadata().getDeletionTimestamp() == null)
            .toList();
    var status = reporter.report(host, machines);
    return statusWriter.write(host, status, context.getClient()).rescheduleAfter(recheck);
  }
}
