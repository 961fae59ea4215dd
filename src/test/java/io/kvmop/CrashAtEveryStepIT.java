package io.kvmop;

import static io.kvmop.testing.Shell.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kvmop.CrashSteps.Death;
import io.kvmop.CrashSteps.Outcome;
import io.kvmop.config.OperatorConfig;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.standalone.StandaloneAgent;
import io.kvmop.testing.Shell;
import io.kvmop.testing.TestGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interrupted at every step, run again: the standalone agent on the real libvirtd is stopped dead
 * at each libvirt call that changes something (pool, image, volumes, seed, network, domain), just
 * before the call (and just after the last: for a fresh agent, just after one call is just before
 * the next), and once between libvirt storing a domain and kvmop marking its stored form. A fresh
 * agent with nothing in memory then runs on the same host; what libvirt holds afterwards must be
 * exactly what an uninterrupted run leaves: the same domain definition, network, pool and volumes,
 * nothing twice, nothing half-made, the domain running.
 *
 * <p>This is the deterministic companion of {@link KillAnywhereIT}, whose kill -9 lands where the
 * clock puts it.
 */
@org.junit.jupiter.api.Tag("system")
class CrashAtEveryStepIT {
  static final String POOL = "kvmopit-steppool";
  static final Path POOL_PATH = Path.of("/var/lib/kvmop/kvmopit-steppool");
  static final String DOMAIN = "kvmop-default-kvmopit-step";
  static final String NET_PREFIX = "kvmop-default-kvmopit-stepnet";

  @TempDir Path dir;
  Path manifests;
  io.kvmop.testing.ImageServer http;
  OperatorConfig config;

  private static String uri() {
    return System.getProperty("kvmop.it.systemUri", "");
  }

  @BeforeEach
  void setUp() throws Exception {
    assumeFalse(uri().isBlank(), "no real libvirtd");
    manifests = Files.createDirectories(dir.resolve("manifests"));
    byte[] image = new byte[4 << 20];
    new Random(11).nextBytes(image);
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
        kind: KvmNetwork
        metadata: {name: kvmopit-stepnet}
        spec:
          mode: isolated
          ipv4: {cidr: 10.251.41.0/24}
        ---
        apiVersion: kvmop.io/v1alpha1
        kind: KvmMachine
        metadata: {name: kvmopit-step}
        spec:
          memory: 128Mi
          shutdownTimeout: 0s
          boot: {kernel: %s/vmlinuz, initrd: %s/initrd.gz, cmdline: console=ttyS0}
          disks:
            - name: root
              image: {url: "http://127.0.0.1:%d/base.raw", sha256: %s, format: raw}
              size: 64Mi
            - {name: data, size: 16Mi, format: qcow2}
          cloudInit:
            userData: |
              #cloud-config
              runcmd: [echo step by step]
          interfaces: [{name: eth0, network: kvmopit-stepnet}]
        """
            .formatted(guest, guest, http.port(), sha));
    config =
        OperatorConfig.fromCommandLine(
            new String[] {
              "--libvirt-uri", uri(),
              "--storage-pool-name", POOL,
              "--storage-pool-path", POOL_PATH.toString(),
              "--serial-log-dir", dir.resolve("logs").toString()
            },
            Map.of());
    cleanUp();
  }

  @AfterEach
  void tearDown() {
    if (http != null) {
      http.close();
    }
    if (!uri().isBlank()) {
      cleanUp();
    }
  }

  private void cleanUp() {
    io.kvmop.testing.SystemLeftovers.removeStandalone(DOMAIN, NET_PREFIX, POOL, POOL_PATH);
  }

  /**
   * Runs passes of a fresh agent until it dies, or until a pass changes nothing while the domain
   * runs (then it is quiet: everything declared is there).
   */
  private Outcome agent(int crashAt, Death death, Path status) throws Exception {
    return agent(crashAt, death, status, CrashAtEveryStepIT::domainRuns);
  }

  private Outcome agent(int crashAt, Death death, Path status, BooleanSupplier done)
      throws Exception {
    CrashSteps steps = new CrashSteps(new JnaLibvirt(uri()), crashAt, death);
    io.kvmop.api.KvmHostSpec host = new io.kvmop.api.KvmHostSpec();
    host.imageDownloads.allowedHosts = List.of("127.0.0.1"); // the test's image server
    StandaloneAgent agent =
        io.kvmop.cli.StandaloneAgents.agent(config, host, steps.port(), manifests, status);
    return steps.run(agent, done, POOL_PATH.resolve(".kvmop-partial"));
  }

  private static boolean domainRuns() {
    return run("virsh", "domstate", DOMAIN).output().strip().startsWith("running");
  }

  private String phase(Path status) throws Exception {
    Path f = status.resolve("KvmMachine/default/kvmopit-step.yaml");
    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(f.toFile());
    String running = "?";
    for (JsonNode c : doc.path("status").path("conditions")) {
      if (c.path("type").asText().equals("Running")) {
        running = c.path("status").asText();
      }
    }
    return "Running="
        + running
        + " phase "
        + doc.path("status").path("phase").asText()
        + " "
        + doc.path("status").path("conditions");
  }

  /** What libvirt holds of the declared objects, without what varies between runs. */
  private static String fingerprint() {
    StringBuilder f = new StringBuilder();
    f.append(
        Shell.must("virsh", "dumpxml", "--inactive", DOMAIN)
            // a domain defined but never marked (BEFORE_THE_MARK) differs only in the mark's stored
            // hash and the prefix libvirt gives its namespace: kvmop compares it field by field
            .replaceAll(" stored=\"[^\"]*\"", "")
            .replaceAll("(xmlns:|<|</)kvmop\\d+", "$1kvmop"));
    f.append(Shell.must("virsh", "domstate", DOMAIN));
    f.append(
        Shell.must("virsh", "dominfo", DOMAIN)
            .lines()
            .filter(l -> l.startsWith("Autostart"))
            .toList());
    for (String net : Shell.must("virsh", "net-list", "--all", "--name").split("\n")) {
      if (net.strip().startsWith(NET_PREFIX)) {
        // the bridge's MAC address is libvirt's random pick
        f.append(
            Shell.must("virsh", "net-dumpxml", "--inactive", net.strip())
                .replaceAll("<mac address='[^']*'/>", ""));
        f.append(Shell.must("virsh", "net-info", net.strip()));
      }
    }
    f.append(
        Shell.must("virsh", "pool-info", POOL)
            .lines()
            .filter(l -> l.matches("^(Name|State|Persistent|Autostart):.*"))
            .toList());
    f.append(
        Shell.must("virsh", "pool-dumpxml", "--inactive", POOL)
            .replaceAll("<(uuid|capacity|allocation|available)[^<]*</\\1>", ""));
    Map<String, String> volumes = new LinkedHashMap<>();
    for (String v :
        new TreeSet<>(
            Arrays.asList(Shell.must("virsh", "vol-list", POOL, "--details").split("\n")))) {
      String name = v.strip().split("\\s+")[0];
      if (name.isEmpty() || name.equals("Name") || name.startsWith("---")) {
        continue;
      }
      volumes.put(
          name,
          Shell.must("virsh", "vol-dumpxml", "--pool", POOL, name)
              .lines()
              .filter(l -> l.contains("<capacity") || l.contains("<format") || l.contains("<path"))
              .map(String::strip)
              .toList()
              .toString());
    }
    f.append(volumes);
    try (Stream<Path> s = Files.list(POOL_PATH)) {
      f.append(s.map(p -> p.getFileName().toString()).sorted().toList());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return f.toString();
  }

  private static boolean domainDefined() {
    return run("virsh", "dominfo", DOMAIN).ok();
  }

  private static List<String> networks() {
    return Arrays.stream(run("virsh", "net-list", "--all", "--name").output().split("\n"))
        .map(String::strip)
        .filter(n -> n.startsWith(NET_PREFIX))
        .toList();
  }

  private static boolean nothingLeft() {
    return !domainDefined() && networks().isEmpty();
  }

  /** What is left once a removal is done: libvirt's objects, the pool's volumes and files, logs. */
  private String leftovers(Path status) throws Exception {
    List<String> volumes =
        Arrays.stream(Shell.must("virsh", "vol-list", POOL).split("\n"))
            .skip(2)
            .map(String::strip)
            .filter(l -> !l.isEmpty())
            .map(l -> l.split("\\s+")[0])
            .sorted()
            .toList();
    List<String> files;
    try (Stream<Path> f = Files.list(POOL_PATH)) {
      files = f.map(p -> p.getFileName().toString()).sorted().toList();
    }
    return "domain defined: "
        + domainDefined()
        + "\nnetworks: "
        + networks()
        + "\nvolumes: "
        + volumes
        + "\npool files: "
        + files
        + "\nserial log: "
        + Files.exists(dir.resolve("logs/default/kvmopit-step.log"))
        + "\nstatus files: "
        + (Files.isDirectory(status.resolve("KvmMachine/default"))
            ? List.of(status.resolve("KvmMachine/default").toFile().list())
            : List.of())
        + "\n";
  }

  @Test
  void removedAndInterruptedAtEveryChangingCallTheNextRunStillRemovesAllItOwned() throws Exception {
    Instant began = Instant.now();
    Path manifest = manifests.resolve("all.yaml");
    String declared = Files.readString(manifest);
    Path refStatus = dir.resolve("removal-reference");
    agent(-1, Death.NEVER, refStatus);
    Files.delete(manifest);
    Outcome reference = agent(-1, Death.NEVER, refStatus, CrashAtEveryStepIT::nothingLeft);
    String expected = leftovers(refStatus);
    assertThat(expected)
        .as("Delete: only the shared cached image stays")
        .contains("domain defined: false", "networks: []", "serial log: false")
        .containsPattern("volumes: \\[kvmop-image-[0-9a-f]{64}\\]")
        .containsPattern("pool files: \\[kvmop-image-[0-9a-f]{64}\\]");
    List<String> steps = reference.calls();
    assertThat(steps)
        .anyMatch(c -> c.startsWith("deleteVolume"))
        .anyMatch(c -> c.startsWith("undefineDomain"))
        .anyMatch(c -> c.startsWith("undefineNetwork"));

    List<String> runs = new ArrayList<>();
    int i = 0;
    for (int n = 1; n <= steps.size(); n++) {
      for (Death death : CrashSteps.deaths(n, steps.size())) {
        i++;
        Path status = dir.resolve("removal-" + i);
        Files.writeString(manifest, declared);
        agent(-1, Death.NEVER, status);
        Files.delete(manifest);
        Outcome dead = agent(n, death, status, CrashAtEveryStepIT::nothingLeft);
        Outcome next = agent(-1, Death.NEVER, status, CrashAtEveryStepIT::nothingLeft);
        String what = death + " #" + n + " (" + dead.crashedAt() + ")";
        String got = leftovers(status);
        assertThat(got).as("after a crash %s:%n%s", what, diff(expected, got)).isEqualTo(expected);
        runs.add(what + " -> " + next.calls().size() + " calls to finish");
      }
    }
    runs.forEach(r -> System.out.println("removal crash " + r));
    System.out.printf(
        "removal crashed at every step: %d changing calls in an uninterrupted removal (%s), %d"
            + " crashes, each followed by a run that removed everything; %d s in all%n",
        steps.size(), steps, runs.size(), Duration.between(began, Instant.now()).toSeconds());
  }

  private Object diff(String expected, String actual) throws Exception {
    Path a = Files.writeString(dir.resolve("expected.txt"), expected);
    Path b = Files.writeString(dir.resolve("actual.txt"), actual);
    return run("diff", a.toString(), b.toString()).output();
  }

  @Test
  void interruptedAtEveryChangingCallTheNextRunLeavesExactlyWhatAnUninterruptedRunLeaves()
      throws Exception {
    Instant began = Instant.now();
    Path refStatus = dir.resolve("status-reference");
    Outcome reference = agent(-1, Death.NEVER, refStatus);
    String expected = fingerprint();
    assertThat(phase(refStatus)).startsWith("Running=True");
    List<String> steps = reference.calls();
    assertThat(steps)
        .as("the uninterrupted run creates the pool, the image, volumes, network and domain")
        .anyMatch(s -> s.startsWith("definePool"))
        .anyMatch(s -> s.startsWith("createVolume"))
        .anyMatch(s -> s.startsWith("defineNetwork"))
        .anyMatch(s -> s.startsWith("defineDomain"))
        .anyMatch(s -> s.startsWith("startDomain"));
    cleanUp();

    List<String> runs = new ArrayList<>();
    int i = 0;
    for (int n = 1; n <= steps.size(); n++) {
      List<Death> deaths = new ArrayList<>(CrashSteps.deaths(n, steps.size()));
      if (steps.get(n - 1).startsWith("defineDomain")) {
        deaths.add(Death.BEFORE_THE_MARK);
      }
      for (Death death : deaths) {
        i++;
        Path status = dir.resolve("status-" + i);
        Outcome dead = agent(n, death, status);
        Outcome next = agent(-1, Death.NEVER, status);
        String what = death + " #" + n + " (" + dead.crashedAt() + ")";
        String got = fingerprint();
        assertThat(got).as("after a crash %s:%n%s", what, diff(expected, got)).isEqualTo(expected);
        assertThat(phase(status)).as("after a crash %s", what).startsWith("Running=True");
        runs.add(what + " -> " + next.calls().size() + " calls to converge");
        cleanUp();
      }
    }
    runs.forEach(r -> System.out.println("crash " + r));
    System.out.printf(
        "crash at every step: %d changing calls in an uninterrupted run, %d crashes, each followed"
            + " by a run that converged to the same libvirt state; %d s in all%n",
        steps.size(), runs.size(), Duration.between(began, Instant.now()).toSeconds());
  }
}
