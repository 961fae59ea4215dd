package io.kvmop.cluster;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kvmop.disk.DiskProvisioner;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** The Secrets machines name, read from the cluster (kvmop may get them, never list or watch). */
public final class ClusterSecrets {
  private ClusterSecrets() {}

  /** A Secret key, base64-decoded; kvmop reads only the Secrets machines name. */
  public static DiskProvisioner.Secrets of(KubernetesClient client) {
    return (ns, name, key) -> {
      Secret s = client.secrets().inNamespace(ns).withName(name).get();
      if (s == null) {
        return Optional.empty();
      }
      if (s.getData() != null && s.getData().containsKey(key)) {
        return Optional.of(
            new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8));
      }
      return s.getStringData() == null
          ? Optional.empty()
          : Optional.ofNullable(s.getStringData().get(key));
    };
  }
}
