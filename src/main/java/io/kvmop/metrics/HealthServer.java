package io.kvmop.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The agent's HTTP endpoints: {@code /metrics} (Prometheus text), {@code /healthz} (the operator
 * runs and its informers are healthy) and {@code /readyz} (also libvirt answers). A failing check
 * answers 503 with the reason.
 */
public final class HealthServer implements AutoCloseable {
  private final HttpServer server;

  /** A check: null when fine, else why not. */
  @FunctionalInterface
  public interface Check {
    String problem();
  }

  /** On every address of the host (the cluster agent: Prometheus scrapes the pod). */
  public HealthServer(int port, Supplier<String> metrics, Check live, Check ready)
      throws IOException {
    this(new InetSocketAddress(port), metrics, live, ready);
  }

  /** On {@code address} only (standalone kvmop: the host's loopback). */
  public HealthServer(InetSocketAddress address, Supplier<String> metrics, Check live, Check ready)
      throws IOException {
    server = HttpServer.create(address, 0);
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "kvmop-http");
              t.setDaemon(true);
              return t;
            }));
    server.createContext(
        "/metrics", x -> send(x, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
    server.createContext("/healthz", x -> check(x, live, null));
    server.createContext("/readyz", x -> check(x, live, ready));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void check(HttpExchange x, Check first, Check second) throws IOException {
    String problem = first.problem();
    if (problem == null && second != null) {
      problem = second.problem();
    }
    if (problem == null) {
      send(x, 200, "text/plain", "ok\n");
    } else {
      send(x, 503, "text/plain", problem + "\n");
    }
  }

  private static void send(HttpExchange x, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", type);
    x.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
