package io.kvmop.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.KvmMachine;
import org.junit.jupiter.api.Test;

class TolerantReadingTest {
  static final String MACHINE =
      """
      {"apiVersion":"kvmop.io/v1alpha1","kind":"KvmMachine",
       "metadata":{"name":"web-1","namespace":"default","uid":"u-1","resourceVersion":"7",
         "labels":{"kvmop.io/node":"node-a"},
         "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"},
         "managedFields":[{"manager":"kubectl-client-side-apply","operation":"Update",
           "apiVersion":"kvmop.io/v1alpha1","time":"2026-11-29T10:00:00Z","fieldsType":"FieldsV1",
           "fieldsV1":{"f:spec":{".":{},"f:memory":{}}}}]},
       "spec":{"memory":"2Gi"}}
      """;

  @Test
  void theAgentKeepsNoManagedFieldsButEverythingElse() throws Exception {
    var serialization = TolerantReading.serialization();
    KvmMachine m = serialization.unmarshal(MACHINE, KvmMachine.class);
    assertThat(m.getMetadata().getManagedFields()).isEmpty();
    assertThat(m.getMetadata().getLabels()).containsEntry("kvmop.io/node", "node-a");
    assertThat(m.getMetadata().getAnnotations())
        .containsKey("kubectl.kubernetes.io/last-applied-configuration");
    assertThat(m.getMetadata().getResourceVersion()).isEqualTo("7");
    assertThat(m.getSpec().memory).isEqualTo("2Gi");
    assertThat(serialization.asJson(m))
        .as("an update it sends leaves the server's record as it is")
        .doesNotContain("managedFields");
  }
}
