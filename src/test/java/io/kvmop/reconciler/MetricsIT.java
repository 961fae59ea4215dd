package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.NetworkMode;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.testing.FakeHostNetwork;
import io.kvmop.testing.FakeLibvirt;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.TestDriver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics, /healthz and /readyz over HTTP, from an operator reconciling real objects. */
@EnableKubernetesMockClient(crud = true)
class MetricsIT {
  KubernetesClient client;
  @TempDir Path dir;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static HttpResponse<String> get(OperatorHarness k8s, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + k8s.operator().httpPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static double value(String metrics, String series) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  @Test
  void seriesExistAndMoveAsMachinesRunAndLibvirtIsCalled() throws Exception {
    try (JnaLibvirt libvirt = new JnaLibvirt(TestDriver.privateUri(dir))) {
      OperatorHarness k8s =
          new OperatorHarness(client, "node-a", libvirt, new FakeHostNetwork()).start();
      try {
        assertThat(get(k8s, "/healthz").statusCode()).isEqualTo(200);
        assertThat(get(k8s, "/readyz").body()).isEqualTo("ok\n");
        k8s.create("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.77.0.0/24"));
        KvmMachine m = Fixtures.machine("default", "vm", "lab");
        m.getMetadata().setUid(null);
        m.getMetadata().setGeneration(null);
        m.getSpec().nodeName = "node-a";
        m.getSpec().memory = "256Mi";
        k8s.create(m);
        k8s.awaitMachine("vm", "Running", true, "Running", 30);
        String defineOk =
            "kvmop_libvirt_calls_seconds_count{operation=\"define domain\",outcome=\"ok\"}";
        String startOk =
            "kvmop_libvirt_calls_seconds_count{operation=\"start domain\",outcome=\"ok\"}";
        within(10)
            .until(
                () ->
                    value(get(k8s, "/metrics").body(), "kvmop_machines{phase=\"Starting\"}") == 1);
        String first = get(k8s, "/metrics").body();
        System.out.println(
            first
                .lines()
                .filter(l -> l.startsWith("kvmop_") || l.startsWith("operator_sdk"))
                .filter(l -> !l.contains("_bucket"))
                .limit(40)
                .reduce("", (a, b) -> a + b + "\n"));
        assertThat(value(first, defineOk)).isGreaterThanOrEqualTo(1);
        assertThat(value(first, startOk)).isEqualTo(1);
        assertThat(value(first, "kvmop_machine_apply_to_running_seconds_count")).isEqualTo(1);
        assertThat(first).contains("kvmop_machine_apply_to_running_seconds_bucket{le=");
        assertThat(first).contains("kvmop_machine_apply_to_ip_seconds_count 0");
        assertThat(first).contains("kvmop_libvirt_reconnects_total 0");
        assertThat(first)
            .containsPattern("operator_sdk_reconciliations_started_total\\{[^}]*\\} [1-9]");

        libvirt
            .domains()
            .destroyDomain("kvmop-default-vm"); // kvmop starts it again: start calls move
        within(10).until(() -> value(get(k8s, "/metrics").body(), startOk) == 2);
        try {
          libvirt.domains().startDomain("kvmop-no-such-domain");
        } catch (LibvirtError expected) {
          // counted by operation and libvirt's code
        }
        assertThat(get(k8s, "/metrics").body())
            .containsPattern(
                "kvmop_libvirt_errors_total\\{code=\"VIR_ERR_NO_DOMAIN\",operation=\"start domain\"\\} 1");
        assertThat(get(k8s, "/metrics").headers().firstValue("content-type").orElse(""))
            .startsWith("text/plain");
      } finally {
        k8s.close();
      }
    }
  }

  @Test
  void readyzFailsWhileLibvirtDoesNotAnswerAndHealthzStaysUp() throws Exception {
    FakeLibvirt libvirt = new FakeLibvirt();
    OperatorHarness k8s =
        new OperatorHarness(client, "node-a", libvirt, new FakeHostNetwork()).start();
    try {
      assertThat(get(k8s, "/readyz").statusCode()).isEqualTo(200);
      libvirt.host.down = true;
      HttpResponse<String> r = get(k8s, "/readyz");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).contains("libvirt", "does not answer", "VIR_ERR_NO_CONNECT");
      assertThat(get(k8s, "/healthz").statusCode()).isEqualTo(200);
      libvirt.host.down = false;
      assertThat(get(k8s, "/readyz").statusCode()).isEqualTo(200);
    } finally {
      k8s.close();
    }
  }
}
