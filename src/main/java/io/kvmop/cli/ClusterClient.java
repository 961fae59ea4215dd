package io.kvmop.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The cluster a command acts on, from the kubeconfig (KUBECONFIG, ~/.kube/config) or the pod it
 * runs in; with neither, the command fails at once saying so and what to add (a standalone user who
 * forgot --manifests), instead of trying a default address for twenty seconds.
 */
public final class ClusterClient {
  private ClusterClient() {}

  /** No cluster is configured: the message says what is missing and the flag that would do. */
  public static final class NoCluster extends RuntimeException {
    NoCluster(String message) {
      super(message);
    }
  }

  public static KubernetesClient open() {
    String missing = missing(System.getenv(), Path.of(System.getProperty("user.home", "/")));
    if (missing != null) {
      throw new NoCluster(missing);
    }
    Config config = Config.autoConfigure(null);
    config.setConnectionTimeout(5_000);
    config.setRequestTimeout(15_000);
    config.setRequestRetryBackoffLimit(1); // a user waits for one answer, not for ten retries
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** Why no cluster is configured, or null when one is. */
  static String missing(Map<String, String> env, Path home) {
    if (env.containsKey("KUBERNETES_SERVICE_HOST")
        || (env.get("KUBECONFIG") != null && !env.get("KUBECONFIG").isBlank())
        || Files.isRegularFile(home.resolve(".kube/config"))) {
      return null;
    }
    return "no Kubernetes cluster is configured (no KUBECONFIG, no ~/.kube/config, not in a pod);"
        + " for machines of a manifest directory add --manifests DIR (the directory kvmop run"
        + " uses), or --local on the machine's node where the command has it";
  }
}
