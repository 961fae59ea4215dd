package io.kvmop.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.libvirt.xml.PoolXml;
import io.kvmop.libvirt.xml.SecretXml;
import io.kvmop.libvirt.xml.XmlCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pool and secret XML kvmop sends to libvirt: its directory pool, an RBD pool logging in with
 * cephx, and the secret holding that client's key (private: libvirt never hands its value back),
 * pinned in golden files under src/test/resources/golden. Regenerate with -Dkvmop.updateGolden=true
 * and review the diff.
 */
class StorageXmlGoldenTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");

  static Stream<Arguments> documents() {
    return Stream.of(
        Arguments.of(
            "pool-directory", PoolXml.directory("kvmop", "/var/lib/kvmop/pool"), PoolXml.class),
        Arguments.of(
            "pool-rbd",
            PoolXml.rbd(
                "kvmop-rbd-fast",
                "9b2d1c0e-1111-4222-8333-444455556666",
                "vms",
                List.of(
                    new io.kvmop.libvirt.xml.DomainDevices.NetworkHost("10.0.0.1", "6789"),
                    new io.kvmop.libvirt.xml.DomainDevices.NetworkHost("10.0.0.2", "6789")),
                "kvmop",
                "3f6a2c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"),
            PoolXml.class),
        Arguments.of(
            "secret-ceph",
            SecretXml.ceph(
                "3f6a2c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
                "kvmop: key of KvmStoragePool fast",
                "kvmop-fast"),
            SecretXml.class));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void matchesGoldenFileAndReadsBack(String name, Object doc, Class<?> type) throws IOException {
    String xml = XmlCodec.write(doc);
    Path file = GOLDEN.resolve(name + ".xml");
    if (Boolean.getBoolean("kvmop.updateGolden")) {
      Files.writeString(file, xml, StandardCharsets.UTF_8);
    }
    assertThat(xml).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    assertThat(XmlCodec.read(xml, type)).isEqualTo(doc);
  }
}
