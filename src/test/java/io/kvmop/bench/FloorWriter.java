package io.kvmop.bench;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kvmop.api.KvmMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The floor's status writes as a plain program: a fresh JVM with the agent's JVM options writes one
 * status per machine named in a file, from one thread, and exits. The bench times it from start to
 * exit, as it times the agent from its start.
 *
 * <pre>FloorWriter KUBECONFIG NAMESPACE NAMES-FILE</pre>
 */
public final class FloorWriter {
  private FloorWriter() {}

  public static void main(String[] args) throws Exception {
    Config config = Config.fromKubeconfig(Files.readString(Path.of(args[0])));
    List<String> names = Files.readAllLines(Path.of(args[2]));
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      for (String name : names) {
        client
            .resources(KvmMachine.class)
            .inNamespace(args[1])
            .withName(name)
            .subresource("status")
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"status\":{\"phase\":\"Running\",\"nodeName\":\"" + Scale.NODE + "\"}}");
      }
    }
    // at once: the bench times this process to its exit, and the HTTP client's idle threads would
    // keep the JVM up a while after the last write
    System.exit(0);
  }
}
