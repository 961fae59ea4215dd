package io.kvmop;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * crds/ holds the CRDs as generated from the Java classes at build, with one change: the printer
 * columns in the order the class declares them (the generator sorts them by path, so kubectl would
 * show AGE first). When this fails, run {@code mvn test -Dtest=CrdFreshnessTest
 * -Dkvmop.updateCrds=true} and commit crds/ and helm/kvmop/files/crds/.
 */
class CrdFreshnessTest {
  private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");

  @Test
  void committedCrdsMatchTheGeneratedOnes() throws IOException {
    try (Stream<Path> files = Files.list(GENERATED)) {
      var generated = files.filter(p -> p.toString().endsWith("-v1.yml")).sorted().toList();
      assertThat(generated).isNotEmpty();
      for (Path g : generated) {
        for (String dir : new String[] {"crds", "helm/kvmop/files/crds"}) {
          Path committed =
              Path.of(dir).resolve(g.getFileName().toString().replace("-v1.yml", ".yaml"));
          String wanted = withDeclaredColumnOrder(Files.readString(g));
          if (Boolean.getBoolean("kvmop.updateCrds")) {
            Files.writeString(committed, wanted);
          }
          assertThat(committed).as("committed copy of %s in %s", g.getFileName(), dir).exists();
          assertThat(Files.readString(committed))
              .as("%s is stale: run with -Dkvmop.updateCrds=true", committed)
              .isEqualTo(wanted);
        }
      }
    }
    try (Stream<Path> committed = Files.list(Path.of("crds"))) {
      assertThat(committed.filter(p -> p.toString().endsWith(".yaml")).count())
          .as("crds/ holds only generated CRDs")
          .isEqualTo(Files.list(GENERATED).filter(p -> p.toString().endsWith("-v1.yml")).count());
    }
  }

  /** The generated CRD with its printer columns in the order of the kind's annotations. */
  static String withDeclaredColumnOrder(String generated) {
    CustomResourceDefinition crd =
        Serialization.unmarshal(generated, CustomResourceDefinition.class);
    Class<?> kind = KINDS.get(crd.getSpec().getNames().getKind());
    List<String> order =
        Stream.of(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    for (var version : crd.getSpec().getVersions()) {
      List<CustomResourceColumnDefinition> columns =
          new ArrayList<>(version.getAdditionalPrinterColumns());
      columns.sort(Comparator.comparingInt(c -> order.indexOf(c.getName())));
      version.setAdditionalPrinterColumns(columns);
    }
    return Serialization.asYaml(crd)
        .replaceFirst(
            "^---\n",
            "# Generated from the Java classes by Fabric8's CRDGenerator, printer columns in the"
                + " order declared: do not edit (CrdFreshnessTest)\n");
  }

  private static final Map<String, Class<?>> KINDS =
      Map.of(
          "KvmMachine",
          KvmMachine.class,
          "KvmNetwork",
          KvmNetwork.class,
          "KvmHost",
          KvmHost.class,
          "KvmMachineSnapshot",
          io.kvmop.api.KvmMachineSnapshot.class,
          "KvmMachineRestore",
          io.kvmop.api.KvmMachineRestore.class,
          "KvmMachineMigration",
          io.kvmop.api.KvmMachineMigration.class,
          "KvmStoragePool",
          io.kvmop.api.KvmStoragePool.class);

  @Test
  void printerColumnsAreInTheDeclaredOrder() throws IOException {
    assertThat(columns("crds/kvmmachines.kvmop.io.yaml"))
        .containsExactly("Phase", "Ready", "IP", "Node", "Age");
    assertThat(columns("crds/kvmnetworks.kvmop.io.yaml"))
        .containsExactly("Phase", "Ready", "Mode", "CIDR", "Age");
    assertThat(columns("crds/kvmhosts.kvmop.io.yaml"))
        .containsExactly("Ready", "KVM", "Cordoned", "Drain", "CPUs", "Libvirt", "Age");
    assertThat(columns("crds/kvmmachinesnapshots.kvmop.io.yaml"))
        .containsExactly("Machine", "Phase", "Ready", "Memory", "Frozen", "Node", "Age");
    assertThat(columns("crds/kvmmachinerestores.kvmop.io.yaml"))
        .containsExactly("Machine", "Snapshot", "Phase", "Age");
  }

  private static List<String> columns(String file) throws IOException {
    return Serialization.unmarshal(Files.readString(Path.of(file)), CustomResourceDefinition.class)
        .getSpec()
        .getVersions()
        .get(0)
        .getAdditionalPrinterColumns()
        .stream()
        .map(CustomResourceColumnDefinition::getName)
        .toList();
  }
}
