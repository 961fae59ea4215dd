package io.kvmop;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.api.ApiGroup;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmNetwork;
import io.kvmop.machine.MachineValidator;
import io.kvmop.network.NetworkValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example manifest parses as its kind and passes kvmop's own validation. */
class ExamplesTest {
  static Stream<Path> examples() throws IOException {
    return Stream.concat(
            Files.list(Path.of("manifests/examples")), Files.list(Path.of("examples/quickstart")))
        .filter(p -> p.toString().endsWith(".yaml"))
        .sorted();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void exampleIsValid(Path file) throws IOException {
    for (String doc : Files.readString(file).split("(?m)^---$")) {
      if (doc.strip().replaceAll("(?m)^#.*$", "").isBlank()) {
        continue;
      }
      validDocument(file, doc);
    }
  }

  private static void validDocument(Path file, String yaml) throws IOException {
    if (yaml.contains("kind: Secret")) {
      io.fabric8.kubernetes.api.model.Secret s =
          Serialization.unmarshal(yaml, io.fabric8.kubernetes.api.model.Secret.class);
      assertThat(s.getApiVersion()).isEqualTo("v1");
      return;
    }
    GenericKubernetesResource generic =
        Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    assertThat(generic.getApiVersion()).isEqualTo(ApiGroup.API_VERSION);
    assertThat(
            io.kvmop.validation.CrdSchemas.validate(
                generic.getKind(),
                new com.fasterxml.jackson.databind.ObjectMapper(
                        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .readTree(yaml)))
        .as("%s against the CRD's OpenAPI schema", file)
        .isEmpty();
    if (generic.getKind().equals("KvmNetwork")) {
      KvmNetwork n = Serialization.unmarshal(yaml, KvmNetwork.class);
      assertThat(NetworkValidator.validate(n.getSpec())).as(file.toString()).isEmpty();
    } else if (!java.util.Set.of(
            "KvmMachineSnapshot", "KvmMachineRestore", "KvmMachineMigration", "KvmHost")
        .contains(generic.getKind())) {
      assertThat(generic.getKind()).as(file.toString()).isEqualTo("KvmMachine");
      KvmMachine m = Serialization.unmarshal(yaml, KvmMachine.class);
      assertThat(MachineValidator.validate(m.getSpec())).as(file.toString()).isEmpty();
    }
  }
}
