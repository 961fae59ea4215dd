package io.kvmop.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** libvirt's built-in test driver with private, empty state per URI (no daemon needed). */
public final class TestDriver {
  private TestDriver() {}

  public static String privateUri(Path dir) {
    return privateUri(dir, "<node></node>\n");
  }

  /** A private hypervisor of {@code cpus} CPUs and {@code memoryKiB} memory. */
  public static String privateUri(Path dir, int cpus, long memoryKiB) {
    return privateUri(
        dir,
        "<node><cpu><nodes>1</nodes><sockets>1</sockets><cores>"
            + cpus
            + "</cores><threads>1</threads><active>"
            + cpus
            + "</active><mhz>2000</mhz></cpu><memory>"
            + memoryKiB
            + "</memory></node>\n");
  }

  /**
   * The same node, served by libvirtd as a private instance for each connection: the agent's calls
   * are remote procedure calls as on a real host, and the hypervisor's memory is the daemon's, not
   * the agent's. Needs a running libvirtd that can read {@code dir}.
   */
  public static String hostedUri(Path dir, int cpus, long memoryKiB) {
    return privateUri(dir, cpus, memoryKiB).replaceFirst("^test://", "test+unix://");
  }

  private static String privateUri(Path dir, String xml) {
    try {
      Path node = dir.resolve("node.xml");
      Files.writeString(node, xml);
      return "test://" + node.toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
