package io.kvmop.disk;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.libvirt.xml.VolumeXml;
import io.kvmop.libvirt.xml.XmlCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The volume XML kvmop sends to libvirt for a machine's new disks, as the disk planner makes it: an
 * overlay on a downloaded image and a blank raw volume (a clone's disk is an overlay on its
 * source's image, the first shape, its data then copied from the snapshot), pinned in golden files
 * under src/test/resources/golden. Regenerate with -Dkvmop.updateGolden=true and review the diff.
 */
class VolumeXmlGoldenTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");
  private static final String POOL = "/var/lib/kvmop/pool/";
  private static final long GIB = 1L << 30;

  static DesiredDisk disk(String name, String format, long bytes, String backing, String fmt) {
    String volume = DiskNames.volumeName("kvmop-default-web-1", name, "0f1e2d3c-aaaa", format);
    return new DesiredDisk(
        name, volume, POOL + volume, format, bytes, true, backing, fmt, "virtio", "vda", false);
  }

  static Stream<Arguments> disks() {
    return Stream.of(
        Arguments.of(
            "volume-image-overlay",
            disk("root", "qcow2", 20 * GIB, POOL + ImageCache.fileName("ab".repeat(32)), "qcow2")),
        Arguments.of("volume-blank-raw", disk("data", "raw", 100 * GIB, null, null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("disks")
  void matchesGoldenFile(String name, DesiredDisk d) throws IOException {
    DiskPlanner.Plan plan = DiskPlanner.plan("kvmop-default-web-1", false, List.of(d), Map.of());
    assertThat(plan.actions()).hasSize(1).first().isInstanceOf(DiskAction.Create.class);
    VolumeXml xml = ((DiskAction.Create) plan.actions().get(0)).xml();
    String text = XmlCodec.write(xml);
    Path file = GOLDEN.resolve(name + ".xml");
    if (Boolean.getBoolean("kvmop.updateGolden")) {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    }
    assertThat(text).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    assertThat(XmlCodec.read(text, VolumeXml.class)).isEqualTo(xml);
  }
}
