package io.kvmop.disk;

import static io.kvmop.testing.Fixtures.disk;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.CloudInitSpec;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.SecretKeyRef;
import io.kvmop.libvirt.VolumeState;
import io.kvmop.status.Reasons;
import io.kvmop.testing.FakeLibvirt;
import io.kvmop.testing.FakeStorage;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provisioner on the in-memory libvirt, with a temp directory as the node's filesystem. */
class DiskProvisionerTest {
  @TempDir Path root;
  private FakeLibvirt libvirt;
  private DiskProvisioner provisioner;
  private String images;
  private String pool;

  @BeforeEach
  void setUp() throws Exception {
    images = root.resolve("images").toString();
    pool = root.resolve("pool").toString();
    Files.createDirectories(Path.of(images));
    Files.createDirectories(Path.of(pool));
    Shell.must("qemu-img", "create", "-f", "qcow2", images + "/base.qcow2", "2G");
    Shell.must(
        "qemu-img",
        "create",
        "-f",
        "qcow2",
        "-b",
        images + "/base.qcow2",
        "-F",
        "qcow2",
        images + "/backed.qcow2");
    libvirt = new FakeLibvirt();
    StorageConfig config = new StorageConfig("kvmop", pool, Path.of("/"), Duration.ofHours(1));
    provisioner =
        new DiskProvisioner(
            libvirt.storage(),
            config,
            new ImageCache(config, libvirt.storage(), Clock.systemUTC()));
  }

  private KvmMachine machine(DiskSpec... disks) {
    KvmMachine m = Fixtures.machine("default", "web", "lab");
    m.getSpec().disks = List.of(disks);
    return m;
  }

  private DiskProvisioner.Result provision(KvmMachine m, boolean running) {
    return provisioner.provision(
        new DiskProvisioner.Input(
            m,
            "kvmop-default-web",
            running,
            Set.of(),
            List.of(images),
            DownloadPolicy.defaults(),
            (ns, n, k) ->
                "ud".equals(n)
                    ? Optional.of("#cloud-config\nhostname: from-secret\n")
                    : Optional.empty()));
  }

  @Test
  void createsThePoolAndAnOverlayAtLeastAsLargeAsTheImage() {
    var r =
        provision(
            machine(disk("root", images + "/base.qcow2", "1Gi"), disk("data", null, "3Gi")), false);
    assertThat(r.blocker()).isNull();
    assertThat(libvirt.storage.findPool("kvmop").orElseThrow().active()).isTrue();
    assertThat(libvirt.storage.findPool("kvmop").orElseThrow().autostart()).isTrue();
    Map<String, VolumeState> vols = libvirt.storage.volumes("kvmop");
    assertThat(vols).hasSize(2);
    VolumeState root =
        r.status().stream()
            .filter(s -> s.name.equals("root"))
            .findFirst()
            .map(s -> vols.get(s.volume))
            .orElseThrow();
    assertThat(root.capacity()).isEqualTo(2L << 30); // the image's 2G, not the smaller 1Gi
    assertThat(root.backingPath()).isEqualTo(images + "/base.qcow2");
    assertThat(root.backingFormat()).isEqualTo("qcow2");
    assertThat(r.devices()).extracting(d -> d.target().dev()).containsExactly("vda", "vdb");
    assertThat(r.done())
        .extracting(io.kvmop.status.Happened::reason)
        .contains("StoragePoolRepaired", "VolumeCreated");
    // idempotent: a second pass changes nothing
    assertThat(
            provision(
                    machine(disk("root", images + "/base.qcow2", "1Gi"), disk("data", null, "3Gi")),
                    false)
                .done())
        .isEmpty();
  }

  @Test
  void badImagesAreRefusedBeforeAnythingIsCreated() {
    var outside = provision(machine(disk("root", "/etc/passwd", null)), false);
    assertThat(outside.blocker().reason()).isEqualTo(Reasons.IMAGE_PATH_REFUSED);
    assertThat(outside.blocker().message()).contains("spec.disks[0] (root).image.path", "outside");
    var backed = provision(machine(disk("root", images + "/backed.qcow2", null)), false);
    assertThat(backed.blocker().reason()).isEqualTo(Reasons.INVALID_IMAGE);
    assertThat(backed.blocker().message()).contains("backing file");
    DiskSpec wrongFormat = disk("root", images + "/base.qcow2", null);
    wrongFormat.image.format = "raw";
    assertThat(provision(machine(wrongFormat), false).blocker().message())
        .contains("image.format is raw but", "is qcow2");
    assertThat(libvirt.storage.findPool("kvmop")).isEmpty();
  }

  @Test
  void shrinkIsRefusedAndGrowGoesLiveWhileRunning() {
    provision(machine(disk("data", null, "3Gi")), false);
    var shrink = provision(machine(disk("data", null, "2Gi")), true);
    assertThat(shrink.blocker().reason()).isEqualTo(DiskPlanner.SHRINK_REFUSED);
    assertThat(shrink.status()).extracting(s -> s.capacityBytes).containsExactly(3L << 30);
    var grow = provision(machine(disk("data", null, "5Gi")), true);
    assertThat(grow.blocker()).isNull();
    assertThat(libvirt.storage.liveResizes).containsExactly("kvmop-default-web/vda=" + (5L << 30));
  }

  @Test
  void seedFromASecretIsWrittenAndReplacedWhenItChanges() throws Exception {
    KvmMachine m = machine();
    m.getSpec().cloudInit = new CloudInitSpec();
    m.getSpec().cloudInit.userDataSecretRef = new SecretKeyRef("ud", "userdata");
    var r = provision(m, false);
    assertThat(r.blocker()).isNull();
    Path seed = Path.of(r.devices().get(0).source().file());
    assertThat(IsoFiles.read(seed).files().get("user-data")).contains("from-secret");
    assertThat(java.nio.file.Files.getPosixFilePermissions(seed))
        .as("a seed holds Secret content: not world-readable")
        .doesNotContain(
            java.nio.file.attribute.PosixFilePermission.OTHERS_READ,
            java.nio.file.attribute.PosixFilePermission.GROUP_WRITE);
    assertThat(r.devices().get(0).readonly()).isNotNull();
    assertThat(r.instanceId()).startsWith(m.getMetadata().getUid());

    m.getSpec().cloudInit.sshAuthorizedKeys = List.of("ssh-ed25519 AAAA k");
    var r2 = provision(m, false);
    Path seed2 = Path.of(r2.devices().get(0).source().file());
    assertThat(seed2).isNotEqualTo(seed);
    assertThat(r2.instanceId()).isNotEqualTo(r.instanceId());
    assertThat(Files.exists(seed)).as("the old seed, used by nothing, is removed").isFalse();

    m.getSpec().cloudInit.userDataSecretRef = new SecretKeyRef("missing", "userdata");
    assertThat(provision(m, false).blocker().reason()).isEqualTo(Reasons.SECRET_NOT_FOUND);
  }

  @Test
  void aSeedThatADeadRunWroteButNeverRefreshedIntoThePoolIsListedByTheNextRun() {
    KvmMachine m = machine();
    m.getSpec().cloudInit = new CloudInitSpec();
    m.getSpec().cloudInit.userData = "#cloud-config\n";
    Path seed = Path.of(provision(m, false).devices().get(0).source().file());
    String name = seed.getFileName().toString();
    assertThat(libvirt.storage().findVolume("kvmop", name)).isPresent();
    // the file is there but libvirt never re-read the directory (killed between the two)
    ((FakeStorage) libvirt.storage()).deleteVolume("kvmop", name);
    assertThat(seed).exists();

    assertThat(Path.of(provision(m, false).devices().get(0).source().file())).isEqualTo(seed);
    assertThat(libvirt.storage().findVolume("kvmop", name))
        .as("virsh vol-list shows the seed again")
        .isPresent();
  }

  @Test
  void releaseDeletesOrKeepsByReclaimPolicy() {
    DiskSpec keep = disk("data", null, "1Gi");
    keep.reclaimPolicy = "Retain";
    KvmMachine m = machine(disk("scratch", null, "1Gi"), keep);
    provision(m, false);
    var done = provisioner.release(m, "kvmop-default-web");
    assertThat(done)
        .extracting(io.kvmop.status.Happened::reason)
        .containsExactly("VolumeDeleted", "VolumeRetained");
    assertThat(done.get(1).message()).contains("virsh vol-delete --pool kvmop");
    assertThat(libvirt.storage.volumes("kvmop").keySet())
        .singleElement()
        .asString()
        .contains("-data-");
  }

  @Test
  void aDiskRemovedFromTheSpecKeepsItsVolumeAndIsReportedOnce() {
    provision(machine(disk("data", null, "1Gi"), disk("logs", null, "1Gi")), false);
    var r = provision(machine(disk("data", null, "1Gi")), false);
    assertThat(r.blocker()).isNull();
    assertThat(r.done())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.reason()).isEqualTo("VolumeKept");
              assertThat(d.message()).contains("-logs-", "virsh vol-delete --pool kvmop");
            });
    assertThat(libvirt.storage.volumes("kvmop")).hasSize(2);
    assertThat(provision(machine(disk("data", null, "1Gi")), false).done()).isEmpty();
  }
}
