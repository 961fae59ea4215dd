package io.kvmop.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.api.KvmMachine;
import io.kvmop.placement.Placement;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Machines this node runs whose placement label a tenant moved to another node (one with no agent,
 * or a made-up name): this node's machine controller selects by the label and so no longer sees
 * them, and nobody else acts for them. Whatever the label says, the node in status (which only
 * agents write) decides: the label is set back to this node, so that this node keeps managing the
 * domain and, on deletion, removes it and its volumes. A watch of the machines labelled to other
 * nodes that keeps only their status's node, never a second copy of every machine.
 */
public final class StrayLabels implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StrayLabels.class);

  /** What is kept per machine (name, namespace and resourceVersion always are). */
  static final String[] KEPT = {"metadata.uid", "metadata.labels", "status.nodeName"};

  private final SharedIndexInformer<KvmMachine> informer;

  private StrayLabels(SharedIndexInformer<KvmMachine> informer) {
    this.informer = informer;
  }

  /** Starts watching for machines of {@code node} labelled elsewhere. */
  public static StrayLabels watch(
      KubernetesClient client, String node, String leaseNamespace, java.time.Clock clock) {
    AgentLeases leases = new AgentLeases(leaseNamespace, clock);
    SharedIndexInformer<KvmMachine> informer =
        client
            .resources(KvmMachine.class)
            .inAnyNamespace()
            .withLabelSelector(Placement.LABEL + "," + Placement.LABEL + "!=" + node)
            .runnableInformer(0);
    informer.itemStore(
        new ReducedStateItemStore<>(
            ReducedStateItemStore.NAME_KEY_STATE,
            KvmMachine.class,
            client.getKubernetesSerialization(),
            KEPT));
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(KvmMachine m) {
            restore(client, node, leases, m);
          }

          @Override
          public void onUpdate(KvmMachine before, KvmMachine after) {
            restore(client, node, leases, after);
          }

          @Override
          public void onDelete(KvmMachine m, boolean finalStateUnknown) {}
        });
    informer.start();
    return new StrayLabels(informer);
  }

  /**
   * Sets the label back to this node when status says the machine is here (guarded), unless the
   * node it names has a live agent: that agent sets it back itself, and lets go of the finalizer it
   * added meanwhile (setting it here first would leave that finalizer behind).
   */
  static void restore(KubernetesClient client, String node, AgentLeases leases, KvmMachine m) {
    if (m.getStatus() == null || !node.equals(m.getStatus().nodeName)) {
      return; // placed elsewhere, or not at all: that node's agent, or placement, decides
    }
    String named =
        m.getMetadata().getLabels() == null
            ? null
            : m.getMetadata().getLabels().get(Placement.LABEL);
    if (named == null || named.equals(node) || leases.held(client, named)) {
      return;
    }
    String patch =
        Serialization.asJson(
            Map.of(
                "metadata",
                Map.of(
                    "resourceVersion",
                    m.getMetadata().getResourceVersion(),
                    "labels",
                    Map.of(Placement.LABEL, node))));
    try {
      client
          .resources(KvmMachine.class)
          .inNamespace(m.getMetadata().getNamespace())
          .withName(m.getMetadata().getName())
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      LOG.warn(
          "machine {}/{} runs on node {} but its label {} named another node; set back",
          m.getMetadata().getNamespace(),
          m.getMetadata().getName(),
          node,
          Placement.LABEL);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409 && e.getCode() != 404) {
        LOG.warn(
            "cannot set the label of machine {}/{} back: {}",
            m.getMetadata().getNamespace(),
            m.getMetadata().getName(),
            e.toString());
      }
      // changed meanwhile (409): the next event shows what it is now
    }
  }

  @Override
  public void close() {
    informer.close();
  }
}
