package io.kvmop.ceph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.kvmop.api.BootSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.disk.BootFiles;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.VolumeState;
import io.kvmop.libvirt.xml.DomainDevices;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.libvirt.xml.PoolXml;
import io.kvmop.libvirt.xml.SecretXml;
import io.kvmop.libvirt.xml.VolumeXml;
import io.kvmop.libvirt.xml.XmlCodec;
import io.kvmop.machine.MachineDesign;
import io.kvmop.machine.MachineNaming;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.Shell;
import io.kvmop.testing.TestCeph;
import io.kvmop.testing.TestGuest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What kvmop's RBD disks stand on, against a real Ceph (cephx on) and the real libvirtd and QEMU: a
 * libvirt secret holding the client's key, libvirt's RBD pool through it, an image imported once
 * and cloned copy-on-write per disk (RBD layering, through libvirt), kvmop's mark in the image's
 * metadata, and a real guest booted with the clone as its disk reading what the image held.
 */
@Tag("system")
class SystemRbdIT {
  private static final String POOL = "kvmopit-rbd";
  private static final String DOMAIN = "kvmop-default-kvmopit-rbd";
  private static final long MIB = 1L << 20;

  @TempDir Path dir;
  JnaLibvirt libvirt;
  TestCeph ceph;
  String secret;
  final String base = "kvmopit-base-" + UUID.randomUUID().toString().substring(0, 8);
  final String clone = "kvmopit-clone-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void start() {
    String uri = System.getProperty("kvmop.it.systemUri", "");
    assumeFalse(uri.isBlank(), "kvmop.it.systemUri is empty: no real libvirtd to test against");
    ceph = TestCeph.start();
    libvirt = new JnaLibvirt(uri);
    cleanUp();
  }

  @AfterEach
  void stop() {
    if (libvirt != null) {
      cleanUp();
      libvirt.close();
    }
  }

  private void cleanUp() {
    try {
      libvirt.domains().destroyDomain(DOMAIN);
    } catch (LibvirtError e) {
      // not running
    }
    try {
      libvirt.domains().undefineDomain(DOMAIN);
    } catch (LibvirtError e) {
      // not defined
    }
    if (libvirt.storage().findPool(POOL).isPresent()) {
      for (String v : List.of(clone, base)) {
        try {
          libvirt.storage().deleteVolume(POOL, v);
        } catch (LibvirtError e) {
          // not there
        }
      }
      Shell.run("virsh", "pool-destroy", POOL);
      Shell.run("virsh", "pool-undefine", POOL);
    }
    if (secret != null && libvirt.secrets().findSecret(secret).isPresent()) {
      libvirt.secrets().undefineSecret(secret);
    }
  }

  /** kvmop's secret and RBD pool, as the node's storage keeper defines them. */
  private void definePool(CephClient client) {
    secret = UUID.randomUUID().toString();
    libvirt.secrets().defineSecret(SecretXml.ceph(secret, "kvmop: test pool", "kvmop-" + secret));
    libvirt.secrets().setSecretValue(secret, client.keyBytes());
    libvirt
        .storage()
        .definePool(
            PoolXml.rbd(
                POOL,
                UUID.randomUUID().toString(),
                TestCeph.POOL,
                List.of(new DomainDevices.NetworkHost(TestCeph.ADDRESS, "6789")),
                TestCeph.USER,
                secret));
    libvirt.storage().startPool(POOL);
  }

  @Test
  void aGuestBootsWithACopyOnWriteCloneOfAnImportedImageAsItsDisk() throws Exception {
    CephClient client = ceph.client();
    definePool(client);

    // the image, with a marker where the guest reports its disks' first bytes
    Path image = dir.resolve("image.raw");
    byte[] bytes = new byte[(int) (16 * MIB)];
    byte[] marker = "KVMOPRBDMARKER42".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(marker, 0, bytes, 0, marker.length);
    Files.write(image, bytes);
    client.importImage(image, "raw", TestCeph.POOL, base);
    libvirt.storage().refreshPool(POOL);
    assertThat(libvirt.storage().findVolume(POOL, base)).isPresent();

    long started = System.nanoTime();
    libvirt.storage().cloneVolume(POOL, VolumeXml.create(clone, 32 * MIB, "raw", null), base);
    long cloneMs = (System.nanoTime() - started) / 1_000_000;
    assertThat(libvirt.storage().findVolume(POOL, clone).orElseThrow().capacity())
        .as("a clone has its image's size")
        .isEqualTo(16 * MIB);
    libvirt.storage().resizeVolume(POOL, clone, 32 * MIB);
    VolumeState v = libvirt.storage().findVolume(POOL, clone).orElseThrow();
    assertThat(ceph.admin("info", TestCeph.POOL + "/" + clone).output())
        .as("a clone of a protected snapshot of the image: copy-on-write, nothing copied")
        .containsPattern("parent: " + TestCeph.POOL + "/" + base + "@");
    System.out.printf("RBD clone of a 16 MiB image through libvirt: %d ms%n", cloneMs);

    client.setMeta(TestCeph.POOL, clone, "kvmop.uid", "7c1e0d52-0000-4000-8000-0000000000aa");
    client.setMeta(TestCeph.POOL, clone, "kvmop.namespace", "default");
    assertThat(client.meta(TestCeph.POOL, clone))
        .containsEntry("kvmop.uid", "7c1e0d52-0000-4000-8000-0000000000aa")
        .containsEntry("kvmop.namespace", "default");

    Path guest = TestGuest.build();
    KvmMachine m = Fixtures.machine("default", "kvmopit-rbd");
    m.getSpec().memory = "128Mi";
    m.getSpec().boot = new BootSpec();
    m.getSpec().boot.cmdline = "console=ttyS0";
    MachineNaming naming =
        MachineNaming.of("default", "kvmopit-rbd", m.getMetadata().getUid(), dir.toString());
    DomainXml xml =
        MachineDesign.desired(
            m,
            naming,
            Map.of(),
            "qemu",
            List.of(
                DomainDevices.Disk.rbd(
                    TestCeph.POOL,
                    clone,
                    List.of(new DomainDevices.NetworkHost(TestCeph.ADDRESS, "6789")),
                    TestCeph.USER,
                    secret,
                    "vda",
                    "virtio")),
            new BootFiles(
                guest.resolve("vmlinuz").toString(), guest.resolve("initrd.gz").toString(), null));
    assertThat(XmlCodec.write(xml)).doesNotContain(ceph.key());
    Path log = Path.of(naming.serialLogPath());
    Files.createDirectories(log.getParent());
    libvirt.domains().defineDomain(xml);
    libvirt.domains().startDomain(DOMAIN);
    Awaitility.await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> Files.exists(log) && Files.readString(log).contains("begins: KVMOPRBDMARKER42"));
    assertThat(Files.readString(log))
        .as("the guest sees the clone grown to 32 MiB")
        .contains("kvmop-guest: disk vda sectors=65536");
    DomainState d = libvirt.domains().findDomain(DOMAIN).orElseThrow();
    assertThat(d.running()).isTrue();
    assertThat(v.capacity()).isEqualTo(32 * MIB);
  }

  @Test
  void aPoolTheClientHasNoCapsOnIsRefusedByCephAndTheKeyIsNeverInTheError() throws Exception {
    CephClient client = ceph.client();
    Path image = dir.resolve("small.raw");
    Files.write(image, new byte[(int) MIB]);
    assertThatThrownBy(() -> client.importImage(image, "raw", TestCeph.OTHER_POOL, base))
        .isInstanceOf(CephError.class)
        .hasMessageContaining("not permitted")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(ceph.key()));
    assertThat(ceph.admin("ls", TestCeph.OTHER_POOL).output()).doesNotContain(base);

    String key = ceph.key();
    String wrong = key.substring(0, 12) + "AAAAAAAAAAAA" + key.substring(24);
    CephClient wrongKey = new CephClient(client.monitors(), TestCeph.USER, wrong);
    assertThatThrownBy(() -> wrongKey.meta(TestCeph.POOL, "anything"))
        .isInstanceOf(CephError.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong).doesNotContain(key));
  }
}
