package io.kvmop.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's filesystem is a temp dir here, as the agent sees the node under /host. */
class ImagePathsTest {
  private static final List<String> ALLOWED = List.of("/var/lib/kvmop/images", "/srv/images/");

  @TempDir Path root;

  @BeforeEach
  void node() throws Exception {
    Path images = Files.createDirectories(root.resolve("var/lib/kvmop/images"));
    Files.createDirectories(root.resolve("srv/images/sub"));
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/shadow"), "secret");
    Files.writeString(images.resolve("debian.qcow2"), "x");
    Files.writeString(root.resolve("srv/images/sub/alpine.raw"), "x");
    Files.createSymbolicLink(images.resolve("out"), Path.of("/etc/shadow"));
    Files.createSymbolicLink(images.resolve("relout"), Path.of("../../../../etc/shadow"));
    Files.createSymbolicLink(images.resolve("current"), Path.of("debian.qcow2"));
    Files.createSymbolicLink(images.resolve("other"), Path.of("/srv/images/sub/alpine.raw"));
    Files.createSymbolicLink(images.resolve("null"), Path.of("/dev/null"));
    Files.createDirectories(images.resolve("adir"));
    Files.createSymbolicLink(images.resolve("loop"), Path.of("loop"));
  }

  private ImagePaths.Checked check(String p) {
    return ImagePaths.check(p, ALLOWED, root);
  }

  @Test
  void plainFilesAndSymlinksStayingInsideAreAccepted() {
    assertEquals(
        "/var/lib/kvmop/images/debian.qcow2",
        check("/var/lib/kvmop/images/debian.qcow2").nodePath());
    assertEquals(
        "/var/lib/kvmop/images/debian.qcow2", check("/var/lib/kvmop/images/current").nodePath());
    assertEquals("/srv/images/sub/alpine.raw", check("/var/lib/kvmop/images/other").nodePath());
    assertEquals("/srv/images/sub/alpine.raw", check("/srv/images/sub/alpine.raw").nodePath());
  }

  @Test
  void traversalIsRefusedBeforeTouchingTheFilesystem() {
    assertRefused("/var/lib/kvmop/images/../../../../etc/shadow", "'..'");
    assertRefused("/var/lib/kvmop/images/./debian.qcow2", "'.'");
    assertRefused("var/lib/kvmop/images/debian.qcow2", "not absolute");
  }

  @Test
  void outsideTheImageDirectoriesIsRefused() {
    assertRefused("/etc/shadow", "outside the node's image directories");
    assertRefused("/var/lib/kvmop/imagesX/a", "outside");
    assertRefused("/var/lib/kvmop/images", "outside");
  }

  @Test
  void symlinksLeadingOutAreRefusedAndResolvedOnTheNodeNotHere() {
    assertRefused("/var/lib/kvmop/images/out", "leads to /etc/shadow");
    assertRefused("/var/lib/kvmop/images/relout", "leads to /etc/shadow");
  }

  @Test
  void devicesDirectoriesLoopsAndMissingFilesAreRefused() {
    assertRefused("/var/lib/kvmop/images/null", "leads to /dev/null");
    assertRefused("/var/lib/kvmop/images/adir", "not a regular file");
    assertRefused("/var/lib/kvmop/images/loop", "symlink loop");
    assertRefused("/var/lib/kvmop/images/none.qcow2", "does not exist");
  }

  @Test
  void aDeviceInsideTheDirectoryIsRefused() throws Exception {
    Path fifo = root.resolve("var/lib/kvmop/images/pipe");
    new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
    assertRefused("/var/lib/kvmop/images/pipe", "not a regular file");
  }

  private void assertRefused(String path, String why) {
    ImagePaths.Checked c = check(path);
    assertNull(c.nodePath(), path);
    assertTrue(c.refusal().contains(why), path + ": " + c.refusal());
  }
}
