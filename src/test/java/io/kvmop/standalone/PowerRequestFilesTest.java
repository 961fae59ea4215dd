package io.kvmop.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PowerRequestFilesTest {
  @TempDir Path dir;

  @Test
  void anAnsweredRequestGoesButANewerOneWrittenMeanwhileStays() throws Exception {
    StatusStore store = new StatusStore(dir);
    PowerRequestFiles.write(dir, "default", "vm", "start 1");
    Path f = PowerRequestFiles.file(dir, "default", "vm");
    assertThat(store.deleteIfHolds(f, "start 1")).isTrue();
    assertThat(f).doesNotExist();

    // the agent answered "start 1", but "stop 2" was written over it before the clean-up
    PowerRequestFiles.write(dir, "default", "vm", "stop 2");
    assertThat(store.deleteIfHolds(f, "start 1")).isFalse();
    assertThat(Files.readString(f).strip()).isEqualTo("stop 2");
    assertThat(PowerRequestFiles.read(store, "default", "vm")).contains("stop 2");
    try (var left = Files.list(f.getParent())) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactly(f.getFileName().toString());
    }
  }
}
