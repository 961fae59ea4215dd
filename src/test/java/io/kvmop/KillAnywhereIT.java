package io.kvmop;

import static io.kvmop.testing.Shell.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.kvmop.testing.Shell;
import io.kvmop.testing.TestGuest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 anywhere, then run again: standalone kvmop on the real libvirtd is killed again and again
 * while it downloads an image, creates volumes, writes the seed, defines and starts the domain; the
 * run after that still converges to exactly what the manifests declare (no second copy of anything,
 * no half-downloaded image used), and the real guest boots from it.
 */
@org.junit.jupiter.api.Tag("system")
class KillAnywhereIT {
  static final String POOL = "kvmopit-killpool";
  static final Path POOL_PATH = Path.of("/var/lib/kvmop/kvmopit-killpool");
  static final String DOMAIN = "kvmop-default-kvmopit-kill";
  static final String MARKER = "KVMOPBASEIMAGE";
  static final int IMAGE_MIB = 24;

  @TempDir Path dir;
  Path manifests;
  io.kvmop.testing.ImageServer http;
  byte[] image;

  private boolean real() {
    return !System.getProperty("kvmop.it.systemUri", "").isBlank();
  }

  @BeforeEach
  void setUp() throws Exception {
    assumeFalse(!real(), "no real libvirtd");
    manifests = Files.createDirectories(dir.resolve("manifests"));
    image = new byte[IMAGE_MIB << 20];
    new Random(7).nextBytes(image);
    System.arraycopy(MARKER.getBytes(StandardCharsets.US_ASCII), 0, image, 0, MARKER.length());
    Arrays.fill(image, MARKER.length(), 512, (byte) 0);
    // about 4 MiB/s, so that some kills land in the middle of the download
    http = new io.kvmop.testing.ImageServer(image, 60);
    cleanUp();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (http != null) {
      http.close();
    }
    if (real()) {
      kvmop("delete").waitFor();
      cleanUp();
    }
  }

  private void cleanUp() {
    io.kvmop.testing.SystemLeftovers.removeStandalone(
        DOMAIN, "kvmop-default-kvmopit-killnet", POOL, POOL_PATH);
  }

  private void writeManifests() throws Exception {
    Path guest = TestGuest.build();
    String sha =
        java.util.HexFormat.of()
            .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(image));
    Files.writeString(
        manifests.resolve("all.yaml"),
        """
        apiVersion: kvmop.io/v1alpha1
        kind: KvmNetwork
        metadata: {name: kvmopit-killnet}
        spec:
          mode: isolated
          ipv4: {cidr: 10.251.40.0/24}
        ---
        apiVersion: kvmop.io/v1alpha1
        kind: KvmMachine
        metadata: {name: kvmopit-kill}
        spec:
          memory: 128Mi
          shutdownTimeout: 5s
          boot: {kernel: %s/vmlinuz, initrd: %s/initrd.gz, cmdline: console=ttyS0}
          disks:
            - name: root
              image: {url: "http://127.0.0.1:%d/base.raw", sha256: %s, format: raw}
              size: 96Mi
            - {name: data, size: 32Mi, format: qcow2}
          cloudInit:
            userData: |
              #cloud-config
              runcmd: [echo killed and back]
          interfaces: [{name: eth0, network: kvmopit-killnet}]
        """
            .formatted(guest, guest, http.port(), sha));
  }

  private Process kvmop(String command, String... more) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.kvmop.Main");
    cmd.add(command);
    cmd.addAll(
        List.of(
            "--manifests",
            manifests.toString(),
            "--libvirt-uri",
            System.getProperty("kvmop.it.systemUri"),
            "--storage-pool-name",
            POOL,
            "--storage-pool-path",
            POOL_PATH.toString(),
            "--serial-log-dir",
            dir.resolve("logs").toString(),
            "--download-allowed-host", // the test's image server is on loopback
            "127.0.0.1"));
    cmd.addAll(List.of(more));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("kvmop.log").toFile()))
        .start();
  }

  private String log() throws Exception {
    return Files.readString(dir.resolve("kvmop.log"));
  }

  /** Starts a run and kills it (SIGKILL) after {@code after}. */
  private void runAndKill(Duration after) throws Exception {
    Process p = kvmop("run");
    p.waitFor(after.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    p.destroyForcibly().waitFor(); // Process.destroyForcibly is SIGKILL on Linux
    Files.writeString(
        dir.resolve("kvmop.log"),
        "---- killed -9 after " + after.toMillis() + " ms\n",
        java.nio.file.StandardOpenOption.APPEND);
  }

  @Test
  void killedAnywhereAndRunAgainItConvergesToExactlyWhatIsDeclared() throws Exception {
    Files.writeString(dir.resolve("kvmop.log"), "");
    writeManifests();
    // timed kills: while the JVM starts, in the middle of the download (about 6 s), then while
    // the first run to get past the download creates the pool, volumes and seed and defines and
    // starts the domain (each later run finds those done)
    for (long ms : new long[] {1500, 3000, 4500, 6000, 7000, 7500, 8000, 8500, 9500}) {
      runAndKill(Duration.ofMillis(ms));
    }
    run("virsh", "destroy", DOMAIN); // and the guest went down while kvmop was dead

    Process last = kvmop("run", "--until-ready", "180");
    boolean ended = last.waitFor(240, java.util.concurrent.TimeUnit.SECONDS);
    String log = log();
    assertThat(ended).as(log).isTrue();
    assertThat(last.exitValue()).as(log).isZero();
    assertThat(log).contains("machine default/kvmopit-kill is Ready: 10.251.40.");

    // exactly what is declared: one cached base, two volumes, one seed; nothing half-written
    List<String> volumes =
        Arrays.stream(Shell.must("virsh", "vol-list", POOL, "--details").split("\n"))
            .skip(2)
            .map(String::strip)
            .filter(l -> !l.isEmpty())
            .map(l -> l.split("\\s+")[0])
            .sorted()
            .toList();
    assertThat(volumes).as(log).hasSize(4); // and no scratch directory
    assertThat(volumes).filteredOn(v -> v.startsWith("kvmop-image-")).hasSize(1);
    assertThat(volumes).filteredOn(v -> v.startsWith(DOMAIN + "-root-")).hasSize(1);
    assertThat(volumes).filteredOn(v -> v.startsWith(DOMAIN + "-data-")).hasSize(1);
    assertThat(volumes).filteredOn(v -> v.startsWith(DOMAIN + "-cidata-")).hasSize(1);
    assertThat(POOL_PATH.resolve(".kvmop-partial")).doesNotExist();
    // the guest reads its base image through the overlay: the download that was used is whole
    Path serial = dir.resolve("logs/default/kvmopit-kill.log");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                Files.exists(serial)
                    && Files.readString(serial, StandardCharsets.ISO_8859_1)
                        .contains("kvmop-guest: disk vda begins: " + MARKER));
    System.out.printf(
        "kill -9 at 9 points, then run: Ready, %d volumes, log of %d lines%n",
        volumes.size(), log.lines().count());

    Process delete = kvmop("delete");
    assertThat(delete.waitFor()).isZero();
    assertThat(run("virsh", "dominfo", DOMAIN).ok()).isFalse();
    assertThat(Shell.must("virsh", "vol-list", POOL)).doesNotContain(DOMAIN);
  }
}
