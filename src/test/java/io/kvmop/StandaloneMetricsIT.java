package io.kvmop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmop.testing.TestDriver;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kvmop run} serves what its --http-port promises, as the cluster agent does: /metrics with
 * the directory's machines by phase (on the test driver a started machine stays Starting: no guest
 * asks for an address) and its libvirt calls, /healthz and /readyz; on this host's loopback only. A
 * taken port is said and the directory is reconciled all the same.
 */
class StandaloneMetricsIT {
  private static final java.util.regex.Pattern STARTING_ONE =
      java.util.regex.Pattern.compile("(?m)^kvmop_machines\\{phase=\"Starting\",?} 1(\\.0)?$");

  @TempDir Path dir;
  final List<Process> running = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : running) {
      p.destroyForcibly().waitFor();
    }
  }

  private Process run(String uri, int port, String name) throws IOException {
    Path manifests = Files.createDirectories(dir.resolve(name));
    Files.writeString(
        manifests.resolve("all.yaml"),
        """
        apiVersion: kvmop.io/v1alpha1
        kind: KvmNetwork
        metadata: {name: lab}
        spec:
          mode: isolated
          ipv4: {cidr: 10.91.0.0/24}
        ---
        apiVersion: kvmop.io/v1alpha1
        kind: KvmMachine
        metadata: {name: vm}
        spec:
          memory: 64Mi
          interfaces: [{name: eth0, network: lab}]
        """);
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.kvmop.Main");
    cmd.addAll(
        List.of(
            "run",
            "--manifests",
            manifests.toString(),
            "--libvirt-uri",
            uri,
            "--http-port",
            String.valueOf(port),
            "--storage-pool-name",
            "kvmopmetrics" + name,
            "--storage-pool-path",
            dir.resolve("pool-" + name).toString(),
            "--serial-log-dir",
            dir.resolve("logs").toString(),
            "--host-root",
            dir.resolve("host").toString()));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile())
            .start();
    running.add(p);
    return p;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void metricsHealthAndReadinessOnLoopbackAsTheFlagSays() throws Exception {
    int port = freePort();
    run(TestDriver.privateUri(dir), port, "a");
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> STARTING_ONE.matcher(get(port, "/metrics").body()).find());
    String metrics = get(port, "/metrics").body();
    assertThat(metrics)
        .contains("kvmop_libvirt_calls_seconds_count")
        .contains("kvmop_machine_pass_stage_seconds");
    assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get(port, "/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("ok\n");

    Optional<String> elsewhere = nonLoopbackAddress();
    if (elsewhere.isPresent()) {
      assertThatThrownBy(
              () -> {
                try (Socket s = new Socket()) {
                  s.connect(new InetSocketAddress(elsewhere.get(), port), 2000);
                }
              })
          .as("not served on %s, only on loopback", elsewhere.get())
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void aTakenPortIsSaidAndTheDirectoryIsReconciledAllTheSame() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();
      run(TestDriver.privateUri(dir), port, "b");
      Path status = dir.resolve("b/.status/KvmMachine/default/vm.yaml");
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  Files.exists(status)
                      && Files.readString(status).contains("domain kvmop-default-vm is running"));
      assertThat(Files.readString(dir.resolve("b.log")))
          .contains("127.0.0.1:" + port + " is taken")
          .contains("another --http-port");
    }
  }

  private static Optional<String> nonLoopbackAddress() throws IOException {
    for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (i.isUp() && !i.isLoopback()) {
        for (var a : Collections.list(i.getInetAddresses())) {
          if (a instanceof Inet4Address) {
            return Optional.of(a.getHostAddress());
          }
        }
      }
    }
    return Optional.empty();
  }
}
