package io.kvmop.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kvmop.testing.OperatorHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * The benchmark's Kubernetes API: the Fabric8 mock in CRUD mode over plain HTTP on loopback, with
 * kvmop's CRDs applied, and a kubeconfig file an agent in another process can use.
 */
final class MockApi implements AutoCloseable {
  private final KubernetesMockServer server;
  final KubernetesClient client;
  final Path kubeconfig;

  MockApi(Path dir) {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    OperatorHarness.applyCrds(client);
    kubeconfig = dir.resolve("kubeconfig");
    try {
      Files.writeString(
          kubeconfig,
          String.join(
              "\n",
              "apiVersion: v1",
              "kind: Config",
              "clusters:",
              "- name: mock",
              "  cluster: {server: 'http://127.0.0.1:" + server.getPort() + "'}",
              "users:",
              "- name: bench",
              "  user: {token: bench}",
              "contexts:",
              "- name: mock",
              "  context: {cluster: mock, user: bench, namespace: default}",
              "current-context: mock",
              ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
