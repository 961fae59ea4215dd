package io.kvmop.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets in a manifest directory are read (for cloud-init user-data), never reconciled. */
class ManifestsSecretsTest {
  @TempDir Path dir;

  @Test
  void secretsAreReadDecodedPerNamespaceNextToMachines() throws Exception {
    Files.writeString(
        dir.resolve("web.yaml"),
        """
        apiVersion: v1
        kind: Secret
        metadata: {name: ud, namespace: prod}
        data:
          userdata: I2Nsb3VkLWNvbmZpZwpob3N0bmFtZTogd2ViCg==
        stringData:
          extra: plain
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: other}
        stringData: {userdata: "#cloud-config\\n"}
        ---
        apiVersion: kvmop.io/v1alpha1
        kind: KvmMachine
        metadata: {name: web, namespace: prod}
        spec:
          memory: 128Mi
          cloudInit:
            userDataSecretRef: {name: ud}
        """);
    Manifests.Loaded loaded = Manifests.load(dir);
    assertThat(loaded.problems()).isEmpty();
    assertThat(loaded.machines()).hasSize(1);
    assertThat(loaded.machines().get(0).getSpec().cloudInit.userDataSecretRef.keyOrDefault())
        .isEqualTo("userdata");
    assertThat(loaded.secrets())
        .containsEntry(
            "prod/ud", Map.of("userdata", "#cloud-config\nhostname: web\n", "extra", "plain"))
        .containsEntry("default/other", Map.of("userdata", "#cloud-config\n"));
  }

  @Test
  void aBadSecretIsReportedWithItsFile() throws Exception {
    Files.writeString(
        dir.resolve("bad.yaml"),
        """
        apiVersion: v1
        kind: Secret
        metadata: {name: ud}
        data: {userdata: "not base64 !!"}
        """);
    Manifests.Loaded loaded = Manifests.load(dir);
    assertThat(loaded.problems()).singleElement().asString().contains("bad.yaml", "invalid Secret");
  }
}
