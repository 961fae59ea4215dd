package io.kvmop.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kvmop.testing.OperatorHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The benchmark's Kubernetes API: the Fabric8 mock in CRUD mode over plain HTTP on loopback, with
 * kvmop's CRDs applied, and a kubeconfig file an agent in another process can use.
 */
final class MockApi implements AutoCloseable {
  private final KubernetesMockServer server;

  /** Requests served, by method and kind (e.g. "PATCH kvmmachines/status"). */
  final Map<String, LongAdder> requests = new ConcurrentHashMap<>();

  final KubernetesClient client;
  final Path kubeconfig;

  MockApi(Path dir) {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new CountingDispatcher(requests),
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

  /** The requests served so far, most first. */
  Map<String, Long> requestCounts() {
    Map<String, Long> out = new LinkedHashMap<>();
    requests.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
        .forEach(e -> out.put(e.getKey(), e.getValue().sum()));
    return out;
  }

  /** The CRUD mock, counting what it serves. */
  private static final class CountingDispatcher extends KubernetesCrudDispatcher {
    private final Map<String, LongAdder> counts;

    CountingDispatcher(Map<String, LongAdder> counts) {
      this.counts = counts;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      counts.computeIfAbsent(key(request), k -> new LongAdder()).increment();
      return super.dispatch(request);
    }

    private static String key(RecordedRequest r) {
      String path = r.getPath();
      int q = path.indexOf('?');
      String query = q < 0 ? "" : path.substring(q);
      String[] parts = (q < 0 ? path : path.substring(0, q)).split("/");
      String kind = "?";
      String sub = "";
      for (int i = 0; i < parts.length; i++) {
        if (parts[i].equals("namespaces") && i + 2 < parts.length) {
          kind = parts[i + 2];
          sub = i + 4 < parts.length ? "/" + parts[i + 4] : "";
          break;
        }
        if (i == parts.length - 2 || i == parts.length - 1) {
          kind = parts.length > 1 ? parts[Math.min(i, parts.length - 1)] : "?";
        }
      }
      return r.getMethod() + " " + kind + sub + (query.contains("watch=true") ? " (watch)" : "");
    }
  }

  int port() {
    return server.getPort();
  }

  /** A kubeconfig for the API at another port on loopback (a relay in front of it). */
  Path kubeconfig(Path file, int port) throws IOException {
    Files.writeString(
        file,
        Files.readString(kubeconfig).replace("127.0.0.1:" + server.getPort(), "127.0.0.1:" + port));
    return file;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
