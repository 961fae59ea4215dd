package io.kvmop.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** libvirt's built-in test driver with private, empty state per URI (no daemon needed). */
public final class TestDriver {
  private TestDriver() {}

  public static String privateUri(Path dir) {
    try {
      Path node = dir.resolve("node.xml");
      Files.writeString(node, "<node></node>\n");
      return "test://" + node.toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
