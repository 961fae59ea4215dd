package io.kvmop.disk;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.BootSpec;
import io.kvmop.status.Reasons;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kernel and initrd paths go through the same gate as base images: the node is a temp dir. */
class BootFilesTest {
  @TempDir Path root;
  StorageConfig config;

  @BeforeEach
  void node() throws Exception {
    Path images = Files.createDirectories(root.resolve("var/lib/kvmop/images"));
    Path pool = Files.createDirectories(root.resolve("var/lib/kvmop/pool"));
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/shadow"), "root:$6$secret");
    Files.writeString(images.resolve("vmlinuz"), "kernel");
    Files.writeString(images.resolve("initrd.gz"), "initrd");
    Files.writeString(pool.resolve("kvmop-other-web-root-12345678.qcow2"), "another machine");
    Files.createSymbolicLink(images.resolve("shadow"), Path.of("/etc/shadow"));
    Files.createSymbolicLink(images.resolve("current"), Path.of("vmlinuz"));
    config = new StorageConfig("kvmop", "/var/lib/kvmop/pool", root, Duration.ofHours(1));
  }

  private BootFiles check(String kernel, String initrd, List<String> allowed) {
    BootSpec b = new BootSpec();
    b.kernel = kernel;
    b.initrd = initrd;
    return BootFiles.check(b, allowed, config);
  }

  @Test
  void filesInTheImageDirectoriesPassWithTheirRealPath() {
    BootFiles ok =
        check(
            "/var/lib/kvmop/images/current",
            "/var/lib/kvmop/images/initrd.gz",
            List.of("/var/lib/kvmop/images"));
    assertThat(ok.blocker()).isNull();
    assertThat(ok.kernel()).isEqualTo("/var/lib/kvmop/images/vmlinuz");
    assertThat(ok.initrd()).isEqualTo("/var/lib/kvmop/images/initrd.gz");
  }

  @Test
  void hostFilesAreRefusedNamingTheField() {
    List<String> images = List.of("/var/lib/kvmop/images");
    var shadow = check("/var/lib/kvmop/images/vmlinuz", "/etc/shadow", images).blocker();
    assertThat(shadow.reason()).isEqualTo(Reasons.BOOT_PATH_REFUSED);
    assertThat(shadow.message()).startsWith("spec.boot.initrd: ").contains("outside");
    var link = check("/var/lib/kvmop/images/shadow", null, images).blocker();
    assertThat(link.message()).startsWith("spec.boot.kernel: ").contains("leads to /etc/shadow");
    var dotdot = check("/var/lib/kvmop/images/../../../../etc/shadow", null, images).blocker();
    assertThat(dotdot.message()).contains("'..'");
  }

  @Test
  void aDeviceIsNeverAKernelEvenInAnAllowedDirectory() {
    config = new StorageConfig("kvmop", "/var/lib/kvmop/pool", Path.of("/"), Duration.ofHours(1));
    var dev = check("/dev/null", null, List.of("/dev")).blocker();
    assertThat(dev.message()).contains("not a regular file");
  }

  @Test
  void thePoolIsNeverAnImageDirectoryEvenWhenAParentIsListed() {
    var b =
        check(
                "/var/lib/kvmop/pool/kvmop-other-web-root-12345678.qcow2",
                null,
                List.of("/var/lib/kvmop"))
            .blocker();
    assertThat(b.message()).contains("kvmop's storage pool");
  }
}
