package io.kvmop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cluster command with no cluster configured says so at once, with the flag to add. */
class ClusterClientTest {
  @TempDir Path home;

  @Test
  void noKubeconfigAndNoPodIsSaidWithTheFlagToAdd() throws Exception {
    assertThat(ClusterClient.missing(Map.of(), home))
        .contains("no Kubernetes cluster is configured", "--manifests DIR", "--local");
    assertThat(ClusterClient.missing(Map.of("KUBECONFIG", "/etc/k.conf"), home)).isNull();
    assertThat(ClusterClient.missing(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"), home)).isNull();
    Files.createDirectories(home.resolve(".kube"));
    Files.writeString(home.resolve(".kube/config"), "apiVersion: v1\n");
    assertThat(ClusterClient.missing(Map.of(), home)).isNull();
  }
}
