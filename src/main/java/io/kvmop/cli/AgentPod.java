package io.kvmop.cli;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.kvmop.api.KvmMachine;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.function.Supplier;

/**
 * The kvmop agent pod on a machine's node, reached with the Kubernetes API's exec: Kubernetes RBAC
 * (create on pods/exec in the agent's namespace) decides who may, and no port opens on the node.
 */
record AgentPod(KubernetesClient client, String namespace, String pod, KvmMachine machine) {
  static final String BINARY = "/opt/kvmop/kvmop.jar";

  /** The agent pod on the node of {@code ns/name}; or an IllegalStateException saying why not. */
  static AgentPod of(KubernetesClient c, String agentNamespace, String ns, String name) {
    KvmMachine m = c.resources(KvmMachine.class).inNamespace(ns).withName(name).get();
    if (m == null || m.getStatus() == null || m.getStatus().nodeName == null) {
      throw new IllegalStateException(
          "KvmMachine " + ns + "/" + name + " not found or not placed on a node yet");
    }
    String node = m.getStatus().nodeName;
    List<Pod> agents =
        c.pods()
            .inNamespace(agentNamespace)
            .withLabel("app.kubernetes.io/name", "kvmop")
            .withField("spec.nodeName", node)
            .list()
            .getItems();
    if (agents.isEmpty()) {
      throw new IllegalStateException(
          "no kvmop agent pod on node " + node + " in namespace " + agentNamespace);
    }
    return new AgentPod(c, agentNamespace, agents.get(0).getMetadata().getName(), m);
  }

  /** Each call: a new TCP connection from the agent pod (the node's network) to host:port. */
  Supplier<TcpRelay.Far> relayTo(String host, int port) {
    return () -> {
      ExecWatch w =
          client
              .pods()
              .inNamespace(namespace)
              .withName(pod)
              .inContainer("agent")
              .redirectingInput()
              .redirectingOutput()
              .exec("java", "-jar", BINARY, "relay", "--to", host + ":" + port);
      return new TcpRelay.Far() {
        @Override
        public InputStream in() {
          return w.getOutput();
        }

        @Override
        public OutputStream out() {
          return w.getInput();
        }

        @Override
        public void close() {
          w.close();
        }
      };
    };
  }
}
