package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.api.KvmMachine;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.RawResources;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A resource this agent cannot read (a newer CRD's enum value meets an older agent during an
 * upgrade) gets Ready=False naming the field and is left alone; the agent and every other resource
 * carry on, whether it was there when the agent started or came while it ran.
 */
class UnreadableResourceIT extends NetworkItBase {
  @Override
  boolean startOperator() {
    return false;
  }

  private void raw(String kind, String name, Map<String, Object> spec) {
    RawResources.create(client, kind, name, Map.of("spec", spec));
  }

  private Map<String, Object> readyOf(String kind, String name) {
    return RawResources.ready(client, kind, name);
  }

  private KvmMachine good(String name) {
    KvmMachine m = Fixtures.machine("default", name);
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-a";
    m.getSpec().memory = "128Mi";
    m.getSpec().interfaces = new java.util.ArrayList<>();
    return m;
  }

  @Test
  void anUnreadableResourceIsReportedAndEverythingElseCarriesOn() {
    raw(
        "KvmMachine",
        "sometimes",
        Map.of("nodeName", "node-a", "memory", "128Mi", "runStrategy", "Sometimes"));
    k8s.create(good("before"));
    k8s.start();
    k8s.awaitMachine("before", "Ready", true, "Running", 20);
    within(20).until(() -> readyOf("KvmMachine", "sometimes") != null);
    Map<String, Object> ready = readyOf("KvmMachine", "sometimes");
    assertThat(ready.get("status")).isEqualTo("False");
    assertThat((String) ready.get("message"))
        .contains(
            "spec.runStrategy: 'Sometimes' is not one of Always, RerunOnFailure, Manual, Halted");
    assertThat(libvirt.domains().findDomain("kvmop-default-sometimes")).isEmpty();

    // while it runs: a network of a mode this agent does not know, and another good machine
    raw("KvmNetwork", "warp", Map.of("mode", "warp"));
    k8s.create(good("after"));
    k8s.awaitMachine("after", "Ready", true, "Running", 20);
    within(20).until(() -> readyOf("KvmNetwork", "warp") != null);
    assertThat((String) readyOf("KvmNetwork", "warp").get("message"))
        .contains("spec.mode: 'warp' is not one of");
    // the unreadable resources were never written back with the field lost
    GenericKubernetesResource stored =
        client
            .genericKubernetesResources("kvmop.io/v1alpha1", "KvmMachine")
            .inNamespace("default")
            .withName("sometimes")
            .get();
    assertThat(Serialization.asJson(stored.getAdditionalProperties().get("spec")))
        .contains("\"runStrategy\":\"Sometimes\"");
    assertThat(stored.getMetadata().getAnnotations())
        .as("the in-memory mark never reaches the API server")
        .doesNotContainKey(io.kvmop.api.Unreadable.ANNOTATION);
  }
}
