package io.kvmop.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmNetwork;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each node's agent holds its own finalizer on a KvmNetwork; a node that left the cluster for good
 * (no Node and no KvmHost) would hold its finalizer forever and the network could never be deleted.
 * The agents still running let go of it for that node: when they clean up their own share, and when
 * the node's KvmHost is deleted while a network waits for it. A node whose agent is merely down
 * keeps its KvmHost (and its Node), so it is waited for.
 */
public final class GoneNodes {
  private static final Logger LOG = LoggerFactory.getLogger(GoneNodes.class);
  private static final String PREFIX = Finalizers.forNode("network", "");

  private GoneNodes() {}

  static boolean gone(KubernetesClient client, String node) {
    return client.resources(KvmHost.class).withName(node).get() == null
        && client.nodes().withName(node).get() == null;
  }

  /**
   * Removes from a network being deleted the finalizers of nodes that left, except {@code mine}.
   */
  public static void release(KubernetesClient client, KvmNetwork network, String mine) {
    List<String> finalizers = network.getMetadata().getFinalizers();
    List<String> gone =
        finalizers.stream()
            .filter(f -> f.startsWith(PREFIX) && !f.equals(mine))
            .filter(f -> gone(client, f.substring(PREFIX.length())))
            .toList();
    if (gone.isEmpty()) {
      return;
    }
    drop(client, network, gone);
  }

  /**
   * Machines being deleted that wait for a node that left: nothing of them is left on a host that
   * is gone, so their finalizer is released (the volumes and the domain went with the host).
   */
  private static void releaseMachines(KubernetesClient client, String node) {
    String finalizer = Finalizers.machine(node);
    for (KvmMachine m : PlacementView.machinesOn(client, node)) {
      if (m.getMetadata().getDeletionTimestamp() == null
          || !m.getMetadata().getFinalizers().contains(finalizer)) {
        continue;
      }
      drop(client, m, List.of(finalizer));
    }
  }

  /**
   * Removes finalizers with a JSON Patch guarded by the resource's resourceVersion; on 409 (written
   * since) nothing is done and whoever looks next tries again.
   */
  private static void drop(KubernetesClient client, HasMetadata r, List<String> gone) {
    List<String> kept =
        new ArrayList<>(
            r.getMetadata().getFinalizers().stream().filter(f -> !gone.contains(f)).toList());
    if (GuardedWrites.patchIfUnchanged(client, r, "/metadata/finalizers", kept)) {
      r.getMetadata().setFinalizers(kept);
      LOG.info(
          "{} {}/{}: released {}: the node left the cluster (no Node, no KvmHost)",
          r.getKind(),
          r.getMetadata().getNamespace(),
          r.getMetadata().getName(),
          gone);
    }
  }

  /**
   * A KvmHost of another node was deleted: if its Node is gone too, releases that node's finalizer
   * from every network and machine being deleted.
   */
  public static void hostDeleted(KubernetesClient client, String myNode, KvmHost h) {
    String node = h.getMetadata().getName();
    String left = Finalizers.network(node);
    try {
      if (client.nodes().withName(node).get() != null) {
        return; // only the KvmHost was deleted; its agent registers it again
      }
      for (KvmNetwork n : client.resources(KvmNetwork.class).inAnyNamespace().list().getItems()) {
        if (n.getMetadata().getDeletionTimestamp() != null
            && n.getMetadata().getFinalizers().contains(left)) {
          release(client, n, Finalizers.network(myNode));
        }
      }
      releaseMachines(client, node);
    } catch (KubernetesClientException e) {
      LOG.warn("cannot release networks of node {}: {}", node, e.toString());
    }
  }
}
