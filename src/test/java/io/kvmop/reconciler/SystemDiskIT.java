package io.kvmop.reconciler;

import static io.kvmop.testing.Fixtures.disk;
import static io.kvmop.testing.OperatorHarness.within;
import static io.kvmop.testing.Shell.must;
import static io.kvmop.testing.Shell.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.kvmop.api.BootSpec;
import io.kvmop.api.CloudInitSpec;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.DiskStatus;
import io.kvmop.api.ImageSource;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.MachinePhase;
import io.kvmop.api.NetworkMode;
import io.kvmop.api.RunStrategy;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.SystemLeftovers;
import io.kvmop.testing.TestGuest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Disks on the real libvirtd: kvmop's pool, overlays on raw and vmdk bases made through libvirt's
 * storage API, growing, shrink refused, reclaim policies, an image fetched by URL from a local
 * server, pool repair, and the real guest reading its overlay and its cloud-init seed.
 */
class SystemDiskIT extends SystemItBase {
  static final String POOL = SystemLeftovers.POOL;
  static final Path BASES = Path.of("/var/lib/kvmop/images/kvmopit");
  static final String MARKER = "KVMOPBASEIMAGE";

  /** A raw image whose first bytes are the marker, and the same content as a vmdk. */
  static Path rawBase() throws Exception {
    Files.createDirectories(BASES);
    Path raw = BASES.resolve("base.raw");
    if (!Files.exists(raw)) {
      Path tmp = BASES.resolve("base.raw.tmp");
      must("qemu-img", "create", "-f", "raw", tmp.toString(), "64M");
      must("sh", "-c", "printf " + MARKER + " | dd of=" + tmp + " conv=notrunc status=none");
      Files.move(tmp, raw);
    }
    return raw;
  }

  static Path vmdkBase() throws Exception {
    Path vmdk = BASES.resolve("base.vmdk");
    if (!Files.exists(vmdk)) {
      must("qemu-img", "convert", "-f", "raw", "-O", "vmdk", rawBase().toString(), vmdk + ".tmp");
      Files.move(Path.of(vmdk + ".tmp"), vmdk);
    }
    return vmdk;
  }

  KvmMachine machine(String name, RunStrategy strategy, DiskSpec... disks) {
    KvmMachine m = Fixtures.machine("default", SystemLeftovers.PREFIX + name);
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-a";
    m.getSpec().memory = "128Mi";
    m.getSpec().runStrategy = strategy;
    m.getSpec().shutdownTimeout = "5s";
    m.getSpec().disks = new java.util.ArrayList<>(List.of(disks));
    return m;
  }

  static DiskStatus diskStatus(KvmMachine m, String name) {
    return m.getStatus().disks.stream().filter(d -> d.name.equals(name)).findFirst().orElseThrow();
  }

  long volumeBytes(String volume) {
    String info = virsh("vol-info", "--pool", POOL, volume, "--bytes");
    java.util.regex.Matcher c =
        java.util.regex.Pattern.compile("Capacity:\\s+(\\d+) bytes").matcher(info);
    assertThat(c.find()).as(info).isTrue();
    return Long.parseLong(c.group(1));
  }

  @Test
  void overlaysOnRawAndVmdkGrowRefuseShrinkingAndAreReclaimedByPolicy() throws Exception {
    DiskSpec root = disk("root", rawBase().toString(), "128Mi");
    root.reclaimPolicy = "Retain";
    DiskSpec data = disk("data", vmdkBase().toString(), null);
    DiskSpec scratch = disk("scratch", null, "16Mi");
    scratch.format = "raw";
    long t0 = System.nanoTime();
    k8s.create(machine("disks", RunStrategy.Manual, root, data, scratch));
    KvmMachine m =
        k8s.awaitMachine(SystemLeftovers.PREFIX + "disks", "Provisioned", true, "Provisioned", 60);
    System.out.printf(
        "apply -> three volumes provisioned (overlays on raw and vmdk, blank raw): %d ms%n",
        (System.nanoTime() - t0) / 1_000_000);
    k8s.awaitMachine(SystemLeftovers.PREFIX + "disks", "Ready", true, "Stopped", 30);

    String pool = virsh("pool-info", POOL);
    assertThat(pool).containsPattern("State:\\s+running").containsPattern("Autostart:\\s+yes");
    assertThat(virsh("pool-dumpxml", POOL))
        .contains("<path>" + SystemLeftovers.POOL_PATH + "</path>");

    String domain = m.getStatus().domainName;
    String blk = virsh("domblklist", domain);
    for (String d : List.of("root", "data", "scratch")) {
      assertThat(blk).contains(diskStatus(m, d).path);
    }
    assertThat(diskStatus(m, "root").target).isEqualTo("vda");
    String info = must("qemu-img", "info", "-U", "--output=json", diskStatus(m, "root").path);
    assertThat(info)
        .contains("\"format\": \"qcow2\"")
        .contains("\"backing-filename\": \"" + rawBase() + "\"")
        .contains("\"backing-filename-format\": \"raw\"")
        .contains("\"virtual-size\": " + (128L << 20));
    String vmdkInfo = must("qemu-img", "info", "-U", "--output=json", diskStatus(m, "data").path);
    assertThat(vmdkInfo)
        .contains("\"backing-filename-format\": \"vmdk\"")
        .contains("\"virtual-size\": " + (64L << 20));
    assertThat(diskStatus(m, "scratch").format).isEqualTo("raw");
    assertThat(volumeBytes(diskStatus(m, "scratch").volume)).isEqualTo(16L << 20);

    // grow: spec.size up, the volume follows (offline: the machine is stopped)
    m.getSpec().disks.get(0).size = "256Mi";
    k8s.updateSpec(m);
    String rootVolume = diskStatus(m, "root").volume;
    within(30).until(() -> volumeBytes(rootVolume) == 256L << 20);

    // shrink: refused, nothing changes
    KvmMachine cur = k8s.machine(SystemLeftovers.PREFIX + "disks");
    cur.getSpec().disks.get(0).size = "64Mi";
    k8s.updateSpec(cur);
    KvmMachine refused =
        k8s.awaitMachine(
            SystemLeftovers.PREFIX + "disks", "Provisioned", false, "DiskShrinkRefused", 30);
    assertThat(OperatorHarness.condition(refused, "Provisioned").orElseThrow().getMessage())
        .contains("never shrunk", "at least 256Mi");
    assertThat(volumeBytes(rootVolume)).isEqualTo(256L << 20);

    // delete: Retain keeps root, Delete removes the others
    k8s.delete(refused);
    within(60).until(() -> k8s.machine(SystemLeftovers.PREFIX + "disks") == null);
    String vols = virsh("vol-list", "--pool", POOL);
    assertThat(vols).contains(rootVolume);
    assertThat(vols)
        .doesNotContain(diskStatus(m, "data").volume)
        .doesNotContain(diskStatus(m, "scratch").volume);
    assertThat(Files.exists(rawBase())).as("a base image is never deleted").isTrue();
    assertThat(
            k8s.client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "VolumeRetained".equals(e.getReason()))
                .map(e -> e.getMessage()))
        .anySatisfy(msg -> assertThat(msg).contains(rootVolume, "virsh vol-delete"));
    virsh("vol-delete", "--pool", POOL, rootVolume);
  }

  /** The cluster admin lets this node's downloads reach loopback, where the test serves images. */
  private void allowLoopbackDownloads() {
    KvmHost h = k8s.awaitHost(x -> true, 30);
    h.getSpec().imageDownloads.allowedHosts = List.of("127.0.0.1");
    k8s.updateSpec(h);
  }

  @Test
  void anImageByUrlIsDownloadedOnceVerifiedAndShared() throws Exception {
    Path img = BASES.resolve("served.qcow2");
    Files.createDirectories(BASES);
    Files.deleteIfExists(img);
    must("qemu-img", "create", "-f", "qcow2", img.toString(), "48M");
    byte[] content = Files.readAllBytes(img);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    Path cached = Path.of(SystemLeftovers.POOL_PATH, "kvmop-image-" + sha);
    Files.deleteIfExists(cached);
    AtomicInteger hits = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/images/served.qcow2",
        x -> {
          hits.incrementAndGet();
          x.sendResponseHeaders(200, content.length);
          try (var out = x.getResponseBody()) {
            out.write(content);
          }
        });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/images/served.qcow2";
      allowLoopbackDownloads();
      for (String name : List.of("url-a", "url-b")) {
        DiskSpec d = disk("root", null, null);
        d.image = new ImageSource();
        d.image.url = url;
        d.image.sha256 = sha;
        k8s.create(machine(name, RunStrategy.Manual, d));
      }
      for (String name : List.of("url-a", "url-b")) {
        KvmMachine m =
            k8s.awaitMachine(SystemLeftovers.PREFIX + name, "Provisioned", true, "Provisioned", 60);
        assertThat(diskStatus(m, "root").backingImage).isEqualTo(cached.toString());
      }
      assertThat(hits.get()).as("one download for two machines").isEqualTo(1);
      assertThat(cached).exists();

      DiskSpec bad = disk("root", null, null);
      bad.image = new ImageSource();
      bad.image.url = url;
      bad.image.sha256 = "0".repeat(64);
      k8s.create(machine("url-bad", RunStrategy.Always, bad));
      KvmMachine failed =
          k8s.awaitMachine(
              SystemLeftovers.PREFIX + "url-bad", "Ready", false, "ImageChecksumMismatch", 60);
      assertThat(failed.getStatus().phase).isEqualTo(MachinePhase.Failed);
      assertThat(OperatorHarness.condition(failed, "Provisioned").orElseThrow().getMessage())
          .contains("checksum mismatch", "discarded")
          .doesNotContain(sha);
      assertThat(Path.of(SystemLeftovers.POOL_PATH, "kvmop-image-" + "0".repeat(64)))
          .doesNotExist();
      assertThat(run("virsh", "dominfo", failed.getStatus().domainName).ok())
          .as("nothing is defined for a machine whose image failed its checksum")
          .isFalse();
      for (String name : List.of("url-a", "url-b", "url-bad")) {
        k8s.delete(k8s.machine(SystemLeftovers.PREFIX + name));
      }
      within(60)
          .until(
              () ->
                  List.of("url-a", "url-b", "url-bad").stream()
                      .allMatch(n -> k8s.machine(SystemLeftovers.PREFIX + n) == null));
    } finally {
      server.stop(0);
      Files.deleteIfExists(cached);
      run("virsh", "pool-refresh", POOL);
    }
  }

  @Test
  void thePoolIsRepairedWhenStoppedOrNotAutostarted() {
    within(30)
        .until(
            () -> {
              KvmHost h = k8s.client.resources(KvmHost.class).withName("node-a").get();
              return h != null
                  && h.getStatus() != null
                  && h.getStatus().storage != null
                  && Boolean.TRUE.equals(h.getStatus().storage.active);
            });
    long t0 = System.nanoTime();
    virsh("pool-destroy", POOL);
    within(30).until(() -> virsh("pool-info", POOL).matches("(?s).*State:\\s+running.*"));
    System.out.printf(
        "virsh pool-destroy -> pool running again: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    t0 = System.nanoTime();
    virsh("pool-autostart", POOL, "--disable");
    within(30).until(() -> virsh("pool-info", POOL).matches("(?s).*Autostart:\\s+yes.*"));
    System.out.printf(
        "virsh pool-autostart --disable -> autostart again: %d ms%n",
        (System.nanoTime() - t0) / 1_000_000);
  }

  @Test
  void aRealGuestBootsWithItsOverlayAndReadsItsCloudInitSeed() throws Exception {
    Path guest = TestGuest.build();
    k8s.create(
        SystemLeftovers.PREFIX + "dnet", Fixtures.spec(NetworkMode.ISOLATED, "10.251.12.0/24"));
    k8s.awaitReady(SystemLeftovers.PREFIX + "dnet", true, "Active");
    KvmMachine m =
        machine("seeded", RunStrategy.Always, disk("root", rawBase().toString(), "96Mi"));
    m.getSpec()
        .interfaces
        .add(new io.kvmop.api.MachineInterface("eth0", SystemLeftovers.PREFIX + "dnet"));
    m.getSpec().boot = new BootSpec();
    m.getSpec().boot.kernel = guest.resolve("vmlinuz").toString();
    m.getSpec().boot.initrd = guest.resolve("initrd.gz").toString();
    m.getSpec().boot.cmdline = "console=ttyS0";
    m.getSpec().cloudInit = new CloudInitSpec();
    m.getSpec().cloudInit.userData = "#cloud-config\nruncmd: [echo one]\n";
    m.getSpec().cloudInit.sshAuthorizedKeys = List.of("ssh-ed25519 AAAAkvmopit test");
    long t0 = System.nanoTime();
    k8s.create(m);
    KvmMachine ready =
        k8s.awaitMachine(SystemLeftovers.PREFIX + "seeded", "Ready", true, "Running", 240);
    System.out.printf(
        "apply -> Ready with an overlay disk and a cloud-init seed (real guest): %d ms%n",
        (System.nanoTime() - t0) / 1_000_000);
    Path log = Path.of(ready.getStatus().serialLogPath);
    String id = ready.getStatus().cloudInitInstanceId;
    assertThat(id).startsWith(ready.getMetadata().getUid());
    within(30)
        .until(
            () ->
                Files.readString(log, StandardCharsets.ISO_8859_1)
                    .contains("kvmop-guest: seed vdb instance-id"));
    String serial = Files.readString(log, StandardCharsets.ISO_8859_1);
    assertThat(serial)
        .contains("kvmop-guest: disk vda sectors=" + (96L << 20) / 512 + " ro=0")
        .contains("kvmop-guest: disk vda begins: " + MARKER)
        .contains("kvmop-guest: disk vdb sectors=")
        .contains("ro=1")
        .contains("kvmop-guest: seed vdb instance-id: " + id)
        .contains("meta-data")
        .contains("user-data");
    assertLeftAlone(ready.getStatus().domainName);

    // grow the root disk of the running guest: through QEMU, the guest sees it at once
    KvmMachine grow = k8s.machine(SystemLeftovers.PREFIX + "seeded");
    grow.getSpec().disks.get(0).size = "128Mi";
    k8s.updateSpec(grow);
    String dom = ready.getStatus().domainName;
    long tg = System.nanoTime();
    within(30)
        .until(
            () ->
                virsh("domblkinfo", dom, "vda")
                    .matches("(?s).*Capacity:\\s+" + (128L << 20) + "\\b.*"));
    System.out.printf(
        "spec.size 96Mi -> 128Mi on the running guest -> domblkinfo shows it: %d ms%n",
        (System.nanoTime() - tg) / 1_000_000);
    assertThat(virsh("domstate", dom).strip()).isEqualTo("running");
    assertThat(
            OperatorHarness.condition(
                    k8s.machine(SystemLeftovers.PREFIX + "seeded"), "RestartRequired")
                .orElseThrow()
                .getMessage())
        .isEqualTo("the running domain matches the declared one");
    // a changed user-data: a new seed and instance-id, applied at the next boot
    KvmMachine change = k8s.machine(SystemLeftovers.PREFIX + "seeded");
    change.getSpec().cloudInit.userData = "#cloud-config\nruncmd: [echo two]\n";
    k8s.updateSpec(change);
    KvmMachine pending =
        k8s.awaitMachine(
            SystemLeftovers.PREFIX + "seeded", "RestartRequired", true, "DefinitionChanged", 30);
    String id2 = pending.getStatus().cloudInitInstanceId;
    assertThat(id2).isNotEqualTo(id).startsWith(ready.getMetadata().getUid());
    virsh("destroy", ready.getStatus().domainName); // kvmop starts it again (Always)
    k8s.awaitMachine(SystemLeftovers.PREFIX + "seeded", "RestartRequired", false, "UpToDate", 120);
    within(120)
        .until(
            () ->
                Files.readString(log, StandardCharsets.ISO_8859_1)
                    .contains("kvmop-guest: seed vdb instance-id: " + id2));
    KvmMachine done = k8s.machine(SystemLeftovers.PREFIX + "seeded");
    String seedPath = diskStatus(done, "cidata").path;
    assertThat(seedPath).contains(id2.substring(id2.length() - 12));
    k8s.delete(done);
    within(60).until(() -> k8s.machine(SystemLeftovers.PREFIX + "seeded") == null);
    assertThat(Path.of(seedPath)).doesNotExist();
    assertThat(virsh("vol-list", "--pool", POOL)).doesNotContain(diskStatus(done, "root").volume);
  }
}
