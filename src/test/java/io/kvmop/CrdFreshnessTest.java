package io.kvmop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * crds/ holds the CRDs as generated from the Java classes at build. When this fails, run {@code mvn
 * process-classes} and copy target/classes/META-INF/fabric8/*-v1.yml to crds/ (the test says which
 * file), then commit.
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
          assertThat(committed).as("committed copy of %s in %s", g.getFileName(), dir).exists();
          assertThat(Files.readString(committed))
              .as("%s is stale: copy %s over it", committed, g)
              .isEqualTo(Files.readString(g));
        }
      }
    }
    try (Stream<Path> committed = Files.list(Path.of("crds"))) {
      assertThat(committed.filter(p -> p.toString().endsWith(".yaml")).count())
          .as("crds/ holds only generated CRDs")
          .isEqualTo(Files.list(GENERATED).filter(p -> p.toString().endsWith("-v1.yml")).count());
    }
  }
}
