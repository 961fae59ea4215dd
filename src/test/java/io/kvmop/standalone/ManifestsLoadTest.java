package io.kvmop.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a manifest directory while it changes under it (a git pull), and files too large. */
class ManifestsLoadTest {
  @TempDir Path dir;

  static String network(int i) {
    return "apiVersion: kvmop.io/v1alpha1\nkind: KvmNetwork\nmetadata:\n  name: n"
        + i
        + "\nspec:\n  mode: isolated\n  ipv4:\n    cidr: 10.77."
        + i
        + ".0/24\n";
  }

  @Test
  void filesRemovedWhileTheDirectoryIsReadAreRemovedFilesNeverAnError() throws Exception {
    for (int i = 0; i < 40; i++) {
      Files.createDirectories(dir.resolve("d" + i));
      Files.writeString(dir.resolve("d" + i).resolve("n.yaml"), network(i));
    }
    AtomicBoolean stop = new AtomicBoolean();
    Thread pull =
        new Thread(
            () -> {
              for (int k = 0; !stop.get(); k++) {
                Path d = dir.resolve("d" + (k % 40));
                try {
                  Files.deleteIfExists(d.resolve("n.yaml"));
                  Files.deleteIfExists(d);
                  Files.createDirectories(d);
                  Files.writeString(d.resolve("n.yaml"), network(k % 40));
                } catch (java.io.IOException e) {
                  // the test's own churn
                }
              }
            });
    pull.start();
    try {
      for (int round = 0; round < 300; round++) {
        Manifests.Loaded l = Manifests.load(dir);
        assertThat(l.networks().size()).isLessThanOrEqualTo(40); // and no exception
      }
    } finally {
      stop.set(true);
      pull.join();
    }
  }

  @Test
  void aFileOverTheLimitIsRefusedUnreadWithItsSize() throws Exception {
    StringBuilder b = new StringBuilder(network(1)).append("  # ");
    b.append("x".repeat(10 << 20)).append('\n');
    Files.writeString(dir.resolve("huge.yaml"), b);
    Files.writeString(dir.resolve("good.yaml"), network(2));
    long t0 = System.nanoTime();
    Manifests.Loaded l = Manifests.load(dir);
    System.out.printf("a 10 MiB file refused in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    assertThat(l.networks()).extracting(n -> n.getMetadata().getName()).containsExactly("n2");
    assertThat(l.problems())
        .singleElement()
        .asString()
        .contains("huge.yaml", "10240 KiB, more than the 1536 KiB a manifest file may be");
  }

  @Test
  void documentsOfTheWrongShapeAreEachReportedWithTheirFileAndLine() throws Exception {
    Files.writeString(
        dir.resolve("odd.yaml"),
        "- a\n- list\n---\n---\njust text\n---\n"
            + "apiVersion: kvmop.io/v1alpha1\nkind: KvmMachine\nmetadata:\n  name: m\n"
            + "spec: a string\n---\n"
            + network(3));
    Manifests.Loaded l = Manifests.load(dir);
    assertThat(l.networks()).extracting(n -> n.getMetadata().getName()).containsExactly("n3");
    assertThat(l.problems())
        .extracting(Manifests.Problem::toString)
        .anySatisfy(p -> assertThat(p).contains("odd.yaml:1", "a list"))
        .anySatisfy(p -> assertThat(p).contains("odd.yaml:5", "a text ('just text')"))
        .anySatisfy(p -> assertThat(p).contains("odd.yaml:7", "spec"))
        .hasSize(3);
  }
}
