package io.kvmop;

import static io.kvmop.testing.Shell.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvmop.CrashSteps.Death;
import io.kvmop.CrashSteps.Outcome;
import io.kvmop.config.OperatorConfig;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.metrics.KvmopMetrics;
import io.kvmop.standalone.PoolDirectory;
import io.kvmop.standalone.StandaloneAgent;
import io.kvmop.storage.RbdVolumes;
import io.kvmop.testing.Shell;
import io.kvmop.testing.TestCeph;
import io.kvmop.testing.TestGuest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provisioning on RBD interrupted at every step, run again: the standalone agent, on the real
 * libvirtd and the test Ceph, dies at each call that changes something in either (the libvirt
 * secret and its value, the base image's import, rename, snapshot and protection, each clone, blank
 * image and mark, the local pool and seed, the domain), just before each call and just after the
 * last (just after one call is just before the next, for a fresh agent). A fresh agent with nothing
 * in memory then runs; what libvirt and Ceph hold afterwards must be exactly what an uninterrupted
 * run leaves: one base with its protected snapshot, each disk's image once with its mark, the
 * secret, the domain running; nothing twice, nothing half-made.
 */
@org.junit.jupiter.api.Tag("system")
class RbdCrashAtEveryStepIT {
  static final String POOL = "kvmopit-rsteppool";
  static final Path POOL_PATH = Path.of("/var/lib/kvmop/kvmopit-rsteppool");
  static final String DOMAIN = "kvmop-default-kvmopit-rstep";
  static final String STORAGE = "kvmopit-rstepceph";

  @TempDir Path dir;
  Path manifests;
  Path pools;
  io.kvmop.testing.ImageServer http;
  OperatorConfig config;
  TestCeph ceph;
  Set<String> before;
  String secretUuid;

  private static String uri() {
    return System.getProperty("kvmop.it.systemUri", "");
  }

  @BeforeEach
  void setUp() throws Exception {
    assumeFalse(uri().isBlank(), "no real libvirtd");
    ceph = TestCeph.start();
    manifests = Files.createDirectories(dir.resolve("manifests"));
    pools = Files.createDirectories(dir.resolve("pools"));
    Files.createDirectories(pools.resolve("keys/ceph-kvmop"));
    Files.writeString(pools.resolve("keys/ceph-kvmop/key"), ceph.key());
    Files.writeString(
        pools.resolve("ceph.yaml"),
        """
        apiVersion: kvmop.io/v1alpha1
        kind: KvmStoragePool
        metadata: {name: %s}
        spec:
          type: rbd
          rbd:
            monitors: ["%s"]
            pool: %s
            user: %s
            secretRef: {name: ceph-kvmop, key: key}
        """
            .formatted(STORAGE, TestCeph.MONITOR, TestCeph.POOL, TestCeph.USER));
    secretUuid =
        UUID.nameUUIDFromBytes(
                ("kvmop-ceph-key:" + new PoolDirectory(pools).pools().get(0).getMetadata().getUid())
                    .getBytes(StandardCharsets.UTF_8))
            .toString();
    byte[] image = new byte[4 << 20];
    new Random(12).nextBytes(image);
    Arrays.fill(image, 0, 512, (byte) 0);
    http = new io.kvmop.testing.ImageServer(image, 0);
    Path guest = TestGuest.build();
    String sha =
        java.util.HexFormat.of()
            .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(image));
    Files.writeString(
        manifests.resolve("all.yaml"),
        """
        apiVersion: kvmop.io/v1alpha1
        kind: KvmMachine
        metadata: {name: kvmopit-rstep}
        spec:
          memory: 128Mi
          shutdownTimeout: 0s
          boot: {kernel: %s/vmlinuz, initrd: %s/initrd.gz, cmdline: console=ttyS0}
          disks:
            - name: root
              image: {url: "http://127.0.0.1:%d/base.raw", sha256: %s, format: raw}
              size: 64Mi
              storage: %s
            - {name: data, size: 16Mi, storage: %s}
          cloudInit:
            userData: |
              #cloud-config
              runcmd: [echo step by step]
        """
            .formatted(guest, guest, http.port(), sha, STORAGE, STORAGE));
    config =
        OperatorConfig.fromCommandLine(
            new String[] {
              "--libvirt-uri", uri(),
              "--storage-pool-name", POOL,
              "--storage-pool-path", POOL_PATH.toString(),
              "--serial-log-dir", dir.resolve("logs").toString()
            },
            Map.of());
    before = Set.copyOf(images());
    cleanUp();
  }

  @AfterEach
  void tearDown() {
    if (http != null) {
      http.close();
    }
    if (!uri().isBlank() && ceph != null) {
      cleanUp();
    }
  }

  private List<String> images() {
    return ceph.admin("ls", TestCeph.POOL).output().lines().map(String::strip).toList();
  }

  /** What this test made: its domain, local pool and secret, and every image new since it began. */
  private void cleanUp() {
    io.kvmop.testing.SystemLeftovers.removeStandalone(
        DOMAIN, "kvmopit-rstep-none", POOL, POOL_PATH);
    run("virsh", "secret-undefine", secretUuid);
    for (int round = 0; round < 3; round++) { // clones before the base they stand on
      for (String image : images()) {
        if (!image.isEmpty() && !before.contains(image)) {
          ceph.purgeSnapshots(image);
          ceph.admin("rm", TestCeph.POOL + "/" + image);
        }
      }
    }
  }

  /** A fresh agent's passes until it dies, or until a quiet pass while the domain runs. */
  private Outcome agent(int crashAt, Death death, Path status) throws Exception {
    CrashSteps steps = new CrashSteps(new JnaLibvirt(uri()), crashAt, death);
    io.kvmop.api.KvmHostSpec host = new io.kvmop.api.KvmHostSpec();
    host.imageDownloads.allowedHosts = List.of("127.0.0.1");
    StandaloneAgent agent =
        io.kvmop.cli.StandaloneAgents.agent(
            config,
            host,
            new PoolDirectory(pools),
            steps.rbd(RbdVolumes.ceph()),
            steps.port(),
            manifests,
            status,
            new KvmopMetrics());
    return steps.run(
        agent,
        () -> run("virsh", "domstate", DOMAIN).output().strip().startsWith("running"),
        POOL_PATH.resolve(".kvmop-partial"));
  }

  /** What libvirt and Ceph hold of what the machine declares, without what varies between runs. */
  private String fingerprint() throws Exception {
    StringBuilder f = new StringBuilder();
    f.append(
        Shell.must("virsh", "dumpxml", "--inactive", DOMAIN)
            .replaceAll(" stored=\"[^\"]*\"", "")
            .replaceAll("(xmlns:|<|</)kvmop\\d+", "$1kvmop"));
    f.append(Shell.must("virsh", "domstate", DOMAIN));
    f.append(Shell.must("virsh", "secret-dumpxml", secretUuid));
    f.append(
        Shell.must("virsh", "vol-list", POOL)
            .lines()
            .skip(2)
            .map(l -> l.strip().split("\\s+")[0])
            .sorted()
            .toList());
    ObjectMapper json = new ObjectMapper();
    Map<String, Object> ours = new TreeMap<>();
    for (String image : images()) {
      if (image.isEmpty() || before.contains(image)) {
        continue;
      }
      String spec = TestCeph.POOL + "/" + image;
      ObjectNode info =
          (ObjectNode) json.readTree(ceph.admin("info", spec, "--format", "json").output());
      for (String varies :
          List.of(
              "id",
              "block_name_prefix",
              "create_timestamp",
              "access_timestamp",
              "modify_timestamp")) {
        info.remove(varies);
      }
      ObjectNode meta =
          (ObjectNode)
              json.readTree(ceph.admin("image-meta", "list", spec, "--format", "json").output());
      if (info.get("parent") instanceof ObjectNode parent) {
        parent.remove("id"); // the base's id in Ceph, new each run
      }
      JsonNode snaps = json.readTree(ceph.admin("snap", "ls", spec, "--format", "json").output());
      List<String> snapNames = new ArrayList<>();
      snaps.forEach(s -> snapNames.add(s.path("name").asText() + "@" + s.path("size").asLong()));
      ours.put(image, List.of(info, meta, snapNames));
    }
    f.append(ours);
    return f.toString();
  }

  private Object diff(String expected, String actual) throws Exception {
    Path a = Files.writeString(dir.resolve("expected.txt"), expected);
    Path b = Files.writeString(dir.resolve("actual.txt"), actual);
    return run("diff", a.toString(), b.toString()).output();
  }

  @Test
  void interruptedAtEveryChangingCallOfLibvirtOrCephTheNextRunLeavesWhatAnUninterruptedRunLeaves()
      throws Exception {
    Instant began = Instant.now();
    Outcome reference = agent(-1, Death.NEVER, dir.resolve("status-reference"));
    String expected = fingerprint();
    List<String> steps = reference.calls();
    System.out.println("an uninterrupted run on RBD: " + steps);
    assertThat(steps)
        .as("the secret, the base's import and snapshot, the clone, a blank image, the domain")
        .anyMatch(s -> s.startsWith("defineSecret"))
        .anyMatch(s -> s.startsWith("write"))
        .anyMatch(s -> s.startsWith("snapshot"))
        .anyMatch(s -> s.startsWith("clone"))
        .anyMatch(s -> s.startsWith("create "))
        .anyMatch(s -> s.startsWith("defineDomain"))
        .anyMatch(s -> s.startsWith("startDomain"));
    assertThat(expected).contains("protocol='rbd'").doesNotContain(ceph.key());
    cleanUp();

    List<String> runs = new ArrayList<>();
    int i = 0;
    for (int n = 1; n <= steps.size(); n++) {
      List<Death> deaths = CrashSteps.deaths(n, steps.size());
      for (Death death : deaths) {
        i++;
        Path status = dir.resolve("status-" + i);
        Outcome dead = agent(n, death, status);
        Outcome next = agent(-1, Death.NEVER, status);
        String what = death + " #" + n + " (" + dead.crashedAt() + ")";
        String got = fingerprint();
        assertThat(got).as("after a crash %s:%n%s", what, diff(expected, got)).isEqualTo(expected);
        runs.add(what + " -> " + next.calls().size() + " calls to converge");
        cleanUp();
      }
    }
    runs.forEach(r -> System.out.println("rbd crash " + r));
    System.out.printf(
        "crash at every step on RBD: %d changing calls (libvirt and Ceph) in an uninterrupted run,"
            + " %d crashes, each followed by a run that converged to the same libvirt and Ceph"
            + " state; %d s in all%n",
        steps.size(), runs.size(), Duration.between(began, Instant.now()).toSeconds());
  }
}
