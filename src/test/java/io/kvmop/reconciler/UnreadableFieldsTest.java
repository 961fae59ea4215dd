package io.kvmop.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.KvmMachineRestore;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.Unreadable;
import io.kvmop.cluster.TolerantReading;
import io.kvmop.testing.SchemaMutations;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every path of every kind's schema, spec and status, with a wrong type and (for an enum) an
 * unknown value: the agent's reader reads each body, leaves the field absent and names the path and
 * the value; it never throws (which would fail the informer and stop the agent).
 */
class UnreadableFieldsTest {
  /** Each kind with the roots it reads (a storage pool has no status: the admin's, only read). */
  static Stream<Arguments> kinds() {
    return Stream.of(
        Arguments.of("kvmmachines.kvmop.io.yaml", KvmMachine.class, List.of("spec", "status")),
        Arguments.of("kvmnetworks.kvmop.io.yaml", KvmNetwork.class, List.of("spec", "status")),
        Arguments.of("kvmhosts.kvmop.io.yaml", KvmHost.class, List.of("spec", "status")),
        Arguments.of(
            "kvmmachinesnapshots.kvmop.io.yaml",
            KvmMachineSnapshot.class,
            List.of("spec", "status")),
        Arguments.of(
            "kvmmachinerestores.kvmop.io.yaml", KvmMachineRestore.class, List.of("spec", "status")),
        Arguments.of(
            "kvmmachinemigrations.kvmop.io.yaml",
            KvmMachineMigration.class,
            List.of("spec", "status")),
        Arguments.of(
            "kvmstoragepools.kvmop.io.yaml", io.kvmop.api.KvmStoragePool.class, List.of("spec")));
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void everyWrongValueAtEveryPathIsReadAsUnreadableAndNamed(
      String crd, Class<? extends HasMetadata> kind, List<String> roots) {
    KubernetesSerialization reader = TolerantReading.serialization();
    List<SchemaMutations.Mutation> all = SchemaMutations.of(SchemaMutations.schema(crd), roots);
    assertThat(all).hasSizeGreaterThan(20);
    List<String> failures = new ArrayList<>();
    for (var mu : all) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("apiVersion", "kvmop.io/v1alpha1");
      body.put("kind", kind.getSimpleName());
      body.put("metadata", Map.of("name", "x", "namespace", "default", "uid", "u-1"));
      body.putAll(mu.body());
      String json = reader.asJson(body);
      try {
        HasMetadata r = reader.unmarshal(json, kind);
        List<String> problems = Unreadable.problems(r);
        if (problems.stream().noneMatch(p -> p.startsWith(mu.path() + ": "))) {
          failures.add(mu.path() + " = " + mu.what() + ": not named, problems " + problems);
        }
      } catch (RuntimeException e) {
        failures.add(
            mu.path()
                + " = "
                + mu.what()
                + ": "
                + e.getClass().getSimpleName()
                + " "
                + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
      }
    }
    assertThat(failures).as("of %d bodies", all.size()).isEmpty();
  }
}
