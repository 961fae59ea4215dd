package io.kvmop.testing;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;

/**
 * kvmop objects written and read as raw JSON (namespace default; KvmHost and KvmStoragePool
 * cluster-wide), for bodies the typed classes cannot hold: what a newer CRD or a careless writer
 * puts before the agent.
 */
public final class RawResources {
  private RawResources() {}

  private static boolean clusterWide(String kind) {
    return kind.equals("KvmHost") || kind.equals("KvmStoragePool");
  }

  /** Creates a {@code kind} named {@code name} with the given top-level fields (spec, ...). */
  public static GenericKubernetesResource create(
      KubernetesClient client, String kind, String name, Map<String, Object> body) {
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion("kvmop.io/v1alpha1");
    r.setKind(kind);
    var meta = new ObjectMetaBuilder().withName(name);
    if (!clusterWide(kind)) {
      meta.withNamespace("default");
    }
    r.setMetadata(meta.build());
    body.forEach(r::setAdditionalProperty);
    var op = client.genericKubernetesResources("kvmop.io/v1alpha1", kind);
    return clusterWide(kind)
        ? op.resource(r).create()
        : op.inNamespace("default").resource(r).create();
  }

  /** Its Ready condition as stored (null when it has none yet, or is gone). */
  public static Map<String, Object> ready(KubernetesClient client, String kind, String name) {
    var op = client.genericKubernetesResources("kvmop.io/v1alpha1", kind);
    GenericKubernetesResource r =
        clusterWide(kind)
            ? op.withName(name).get()
            : op.inNamespace("default").withName(name).get();
    Object status = r == null ? null : r.getAdditionalProperties().get("status");
    if (status instanceof Map<?, ?> s && s.get("conditions") instanceof List<?> cs) {
      for (Object c : cs) {
        if (c instanceof Map<?, ?> m && "Ready".equals(m.get("type"))) {
          @SuppressWarnings("unchecked")
          Map<String, Object> cond = (Map<String, Object>) m;
          return cond;
        }
      }
    }
    return null;
  }
}
