package io.kvmop;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layer rules docs/architecture.md states, checked on the compiled main classes: which package
 * may use which, no cycles, and the Operator SDK and the Kubernetes client only in the front ends.
 * A forbidden import fails the build here, so the document cannot go stale.
 */
class LayersTest {
  static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("io.kvmop");
  }

  @Test
  void eachLayerUsesOnlyTheLayersBelowIt() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("Entry")
        .definedBy("io.kvmop")
        .layer("Commands")
        .definedBy("io.kvmop.cli..")
        .layer("Agent")
        .definedBy("io.kvmop.agent..")
        .layer("FrontEnds")
        .definedBy("io.kvmop.reconciler..", "io.kvmop.standalone..")
        .layer("Cluster")
        .definedBy("io.kvmop.cluster..")
        .layer("Composition")
        .definedBy("io.kvmop.node..", "io.kvmop.config..")
        .layer("Services")
        .definedBy(
            "io.kvmop.snapshot..",
            "io.kvmop.migration..",
            "io.kvmop.placement..",
            "io.kvmop.metrics..")
        .layer("Machine")
        .definedBy("io.kvmop.machine..")
        .layer("Resources")
        .definedBy("io.kvmop.network..", "io.kvmop.disk..", "io.kvmop.host..", "io.kvmop.storage..")
        .layer("Libvirt")
        .definedBy("io.kvmop.libvirt..", "io.kvmop.ceph..")
        .layer("Foundation")
        .definedBy(
            "io.kvmop.api..",
            "io.kvmop.ids..",
            "io.kvmop.validation..",
            "io.kvmop.status..",
            "io.kvmop.logging..")
        .whereLayer("Entry")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("Commands")
        .mayOnlyBeAccessedByLayers("Entry")
        .whereLayer("Agent")
        .mayOnlyBeAccessedByLayers("Commands")
        .whereLayer("FrontEnds")
        .mayOnlyBeAccessedByLayers("Commands", "Agent")
        .whereLayer("Cluster")
        .mayOnlyBeAccessedByLayers("Commands", "Agent", "FrontEnds")
        .whereLayer("Composition")
        .mayOnlyBeAccessedByLayers("Commands", "Agent", "FrontEnds")
        .whereLayer("Services")
        .mayOnlyBeAccessedByLayers("Commands", "Agent", "Composition", "FrontEnds", "Cluster")
        .whereLayer("Machine")
        .mayOnlyBeAccessedByLayers(
            "Commands", "Agent", "Composition", "FrontEnds", "Cluster", "Services")
        .whereLayer("Resources")
        .mayOnlyBeAccessedByLayers(
            "Commands", "Agent", "Composition", "FrontEnds", "Cluster", "Services", "Machine")
        .whereLayer("Libvirt")
        .mayOnlyBeAccessedByLayers(
            "Commands",
            "Agent",
            "Composition",
            "FrontEnds",
            "Cluster",
            "Services",
            "Machine",
            "Resources")
        .check(main);
  }

  @Test
  void theTwoFrontEndsNeverUseEachOther() {
    noClasses()
        .that()
        .resideInAPackage("io.kvmop.reconciler..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.kvmop.standalone..")
        .check(main);
    noClasses()
        .that()
        .resideInAPackage("io.kvmop.standalone..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.kvmop.reconciler..")
        .check(main);
  }

  @Test
  void theFoundationDependsOnNothingElseOfKvmop() {
    for (String p : new String[] {"api", "ids", "validation", "status", "logging"}) {
      String own = "io.kvmop." + p + "..";
      noClasses()
          .that()
          .resideInAPackage(own)
          .should()
          .dependOnClassesThat(resideInAPackage("io.kvmop..").and(not(resideInAPackage(own))))
          .check(main);
    }
  }

  @Test
  void noPackageCycles() {
    slices().matching("io.kvmop.(*)..").should().beFreeOfCycles().check(main);
  }

  @Test
  void theOperatorSdkAndTheClusterClientStayInTheFrontEnds() {
    noClasses()
        .that()
        .resideOutsideOfPackages("io.kvmop.reconciler..", "io.kvmop.agent..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.javaoperatorsdk..")
        .check(main);
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "io.kvmop.reconciler..", "io.kvmop.agent..", "io.kvmop.cluster..", "io.kvmop.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.fabric8.kubernetes.client.dsl..")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("io.fabric8.kubernetes.client.KubernetesClient")
        .check(main);
  }
}
