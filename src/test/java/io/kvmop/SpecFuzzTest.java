package io.kvmop;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.BootSpec;
import io.kvmop.api.CloudInitSpec;
import io.kvmop.api.CpuMode;
import io.kvmop.api.CpuSpec;
import io.kvmop.api.DhcpHost;
import io.kvmop.api.DhcpSpec;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.DnsSpec;
import io.kvmop.api.HostBridgeRef;
import io.kvmop.api.ImageSource;
import io.kvmop.api.Ipv4Spec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkSpec;
import io.kvmop.api.MachineInterface;
import io.kvmop.api.NetworkMode;
import io.kvmop.api.RunStrategy;
import io.kvmop.disk.AllowedFile;
import io.kvmop.libvirt.HostFacts;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.libvirt.xml.NetworkXml;
import io.kvmop.libvirt.xml.XmlCodec;
import io.kvmop.machine.MachineDesign;
import io.kvmop.machine.MachineNaming;
import io.kvmop.machine.MachinePlanner;
import io.kvmop.machine.MachineValidator;
import io.kvmop.network.NetworkDesign;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.network.NetworkValidator;
import io.kvmop.testing.Fixtures;
import io.kvmop.validation.ResourceNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Generated and mutated specs, hostile strings included, through validation, planning and XML
 * rendering: no exception escapes, every rejection names its field, every rendered document parses
 * back to the same record, and no path outside the allowed directories survives the gate. The
 * counts are printed at the end.
 */
class SpecFuzzTest {
  static final AtomicInteger MACHINES = new AtomicInteger();
  static final AtomicInteger MACHINES_VALID = new AtomicInteger();
  static final AtomicInteger NETWORKS = new AtomicInteger();
  static final AtomicInteger NETWORKS_VALID = new AtomicInteger();
  static final AtomicInteger PATHS = new AtomicInteger();
  static final AtomicInteger PATHS_ALLOWED = new AtomicInteger();
  static final Map<String, Integer> REJECTED = new java.util.concurrent.ConcurrentHashMap<>();

  static final List<String> HOSTILE =
      List.of(
          "",
          " ",
          "../../../etc/shadow",
          "/etc/shadow",
          "/dev/vda",
          "/var/lib/kvmop/images/../../../etc/shadow",
          "/var/lib/kvmop/pool/kvmop-other-web-root.qcow2",
          "a\nb",
          "x\u0000y",
          "\u0001",
          "\u007f",
          "\u0085",
          "</name><devices><disk/></devices>",
          "]]><!ENTITY x SYSTEM \"file:///etc/passwd\">",
          "&amp;&lt;",
          "\uD800",
          "\uFFFE",
          "http://127.0.0.1/x.img",
          "http://2130706433/",
          "http://[::ffff:127.0.0.1]/",
          "http://169.254.169.254/latest/meta-data/",
          "file:///etc/passwd",
          "gopher://x/",
          "http://exa mple.com/",
          "💥",
          "%2e%2e%2f",
          "${jndi:ldap://x}",
          "kvmop-default-lab-1234",
          "default",
          "a".repeat(5000),
          "-1",
          "0",
          "99999999999999999999Gi",
          "1e9",
          "52:54:00:12:34:56",
          "ff:ff:ff:ff:ff:ff");

  static Arbitrary<String> text(String... valid) {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(60, Arbitraries.of(valid.length == 0 ? new String[] {"x"} : valid)),
        net.jqwik.api.Tuple.of(3, Arbitraries.of(HOSTILE)),
        net.jqwik.api.Tuple.of(2, Arbitraries.strings().all().ofMaxLength(40)),
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().withChars("<>&\"' ]]").ofMaxLength(12)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(null)));
  }

  static <T> Arbitrary<T> maybe(Arbitrary<T> a) {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, a), net.jqwik.api.Tuple.of(1, Arbitraries.just(null)));
  }

  /** Mostly 1 or 2, sometimes out of range. */
  static Arbitrary<Integer> count() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(30, Arbitraries.integers().between(1, 2)),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(0, -1, 300, Integer.MAX_VALUE)));
  }

  @Provide
  Arbitrary<KvmMachine> machines() {
    Arbitrary<CpuSpec> cpu =
        Combinators.combine(
                maybe(count()),
                maybe(count()),
                maybe(count()),
                maybe(Arbitraries.of(CpuMode.class)),
                text("qemu64", "Nehalem"))
            .as(
                (s, c, t, mode, model) -> {
                  CpuSpec x = new CpuSpec();
                  x.sockets = s;
                  x.cores = c;
                  x.threads = t;
                  x.mode = mode;
                  x.model =
                      mode == CpuMode.CUSTOM || (model != null && model.length() == 1)
                          ? model
                          : null;
                  return x;
                });
    Arbitrary<BootSpec> boot =
        Combinators.combine(
                text("/var/lib/kvmop/images/vmlinuz"),
                text("/var/lib/kvmop/images/initrd.gz"),
                text("console=ttyS0", "root=/dev/vda1 quiet", "a=</cmdline>&b=']]>"))
            .as(
                (k, i, c) -> {
                  BootSpec b = new BootSpec();
                  b.kernel = k;
                  b.initrd = i;
                  b.cmdline = c;
                  return b;
                });
    Arbitrary<MachineInterface> nic =
        Combinators.combine(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8),
                text("lab"),
                text("default"),
                maybe(maybe(text("52:54:00:12:34:56"))),
                Arbitraries.of(true, false))
            .as(
                (name, net, lnet, mac, managed) -> {
                  MachineInterface i = new MachineInterface();
                  i.name = name;
                  if (managed) {
                    i.network = net;
                  } else {
                    i.libvirtNetwork = lnet;
                  }
                  i.mac = mac;
                  return i;
                });
    Arbitrary<DiskSpec> disk =
        Combinators.combine(
                Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(
                        20,
                        Arbitraries.strings()
                            .withCharRange('a', 'z')
                            .ofMinLength(1)
                            .ofMaxLength(8)),
                    net.jqwik.api.Tuple.of(1, Arbitraries.of("cidata", "Root", "a b"))),
                text("10Gi", "512Mi"),
                text("qcow2", "raw"),
                text("/var/lib/kvmop/images/debian.qcow2"),
                text("https://images.example.com/debian.qcow2"),
                text("ab".repeat(32)),
                Arbitraries.integers().between(0, 2))
            .as(
                (name, size, format, path, url, sha, kind) -> {
                  DiskSpec d = new DiskSpec();
                  d.name = name;
                  d.size = size;
                  if (kind == 0) {
                    d.format = format;
                  } else {
                    d.image = new ImageSource();
                    d.image.path = kind == 1 ? path : null;
                    d.image.url = kind == 2 ? url : null;
                    d.image.sha256 = sha;
                  }
                  return d;
                });
    Arbitrary<CloudInitSpec> cloud =
        Combinators.combine(
                text("#cloud-config\nhostname: a\n"),
                text("version: 2\n"),
                text("ssh-ed25519 AAAA key"))
            .as(
                (u, n, k) -> {
                  CloudInitSpec c = new CloudInitSpec();
                  c.userData = u;
                  c.networkData = n;
                  c.sshAuthorizedKeys = k == null ? null : List.of(k);
                  return c;
                });
    Arbitrary<KvmMachineSpec> spec =
        Combinators.combine(
                text("512Mi", "1Gi", "16Mi"),
                maybe(cpu),
                maybe(boot),
                nic.list().ofMaxSize(2),
                disk.list().ofMaxSize(2),
                maybe(cloud),
                text("90s", "2m", "500ms"),
                maybe(Arbitraries.of(RunStrategy.class)))
            .as(
                (mem, c, b, nics, disks, ci, timeout, run) -> {
                  KvmMachineSpec s = new KvmMachineSpec();
                  s.memory = mem;
                  s.cpu = c;
                  s.boot = b;
                  s.interfaces = new ArrayList<>(nics);
                  s.disks = new ArrayList<>(disks);
                  s.cloudInit = ci;
                  s.shutdownTimeout = timeout;
                  s.runStrategy = run;
                  return s;
                });
    return Combinators.combine(text("web-1", "db"), text("default", "team-a"), spec)
        .as(
            (name, ns, s) -> {
              KvmMachine m = Fixtures.machine(ns == null ? "default" : ns, name);
              m.setSpec(s);
              return m;
            });
  }

  static final HostFacts HOST = new HostFacts(8L << 20, 4, List.of("qemu64", "Nehalem"));

  @Property(tries = 5000, edgeCases = net.jqwik.api.EdgeCasesMode.NONE)
  void machineSpecsNeverThrowAndEveryRejectionNamesItsField(@ForAll("machines") KvmMachine m) {
    MACHINES.incrementAndGet();
    List<String> problems = new ArrayList<>(ResourceNames.problems(m.getMetadata()));
    problems.addAll(MachineValidator.validate(m.getSpec()));
    if (problems.isEmpty()) {
      problems.addAll(MachineValidator.validateOnHost(m.getSpec(), HOST, "qemu"));
    }
    assertThat(problems).allSatisfy(p -> assertThat(p).matches("(?s)^(spec|metadata)[.\\[ ].*"));
    if (!problems.isEmpty()) {
      REJECTED.merge(problems.get(0).replaceAll("[ '\\[].*", ""), 1, Integer::sum);
      return;
    }
    MACHINES_VALID.incrementAndGet();
    var meta = m.getMetadata();
    MachineNaming naming =
        MachineNaming.of(meta.getNamespace(), meta.getName(), meta.getUid(), "/var/log/kvmop");
    assertThat(Path.of(naming.serialLogPath()).normalize())
        .startsWithRaw(Path.of("/var/log/kvmop"));
    Map<String, String> nets = new java.util.HashMap<>();
    m.getSpec().interfaces.forEach(i -> nets.put(i.name, "kvmop-x-lab-1234"));
    DomainXml desired = MachineDesign.desired(m, naming, nets, "qemu");
    String xml = XmlCodec.write(desired);
    assertThat(XmlCodec.read(xml, DomainXml.class)).isEqualTo(desired);
    MachinePlanner.plan(
        new MachinePlanner.Input(
            meta.getUid(),
            naming.domainName(),
            desired,
            null,
            m.getSpec().runStrategyOrDefault(),
            Optional.empty(),
            false,
            null,
            null,
            Instant.now(),
            Duration.ofSeconds(90)));
  }

  @Provide
  Arbitrary<KvmNetwork> networks() {
    Arbitrary<Ipv4Spec> ipv4 =
        Combinators.combine(
                text("10.77.0.0/24", "192.168.39.0/24", "10.1.0.0/31"),
                text("10.77.0.1"),
                text("10.77.0.10"),
                text("10.77.0.200"),
                text("52:54:00:00:00:10"),
                text("db", "web"))
            .as(
                (cidr, gw, start, end, mac, host) -> {
                  Ipv4Spec s = new Ipv4Spec();
                  s.cidr = cidr;
                  s.gateway = gw;
                  s.dhcp = new DhcpSpec();
                  s.dhcp.start = start;
                  s.dhcp.end = end;
                  s.dhcp.hosts = List.of(new DhcpHost(mac, "10.77.0.20", host));
                  return s;
                });
    Arbitrary<KvmNetworkSpec> spec =
        Combinators.combine(
                maybe(Arbitraries.of(NetworkMode.class)),
                maybe(ipv4),
                text("lab.internal"),
                maybe(Arbitraries.integers().between(-1, 70000)),
                text("br0"))
            .as(
                (mode, ip, domain, mtu, bridge) -> {
                  KvmNetworkSpec s = new KvmNetworkSpec();
                  s.mode = mode;
                  s.ipv4 = ip;
                  if (domain != null) {
                    s.dns = new DnsSpec();
                    s.dns.domain = domain;
                  }
                  s.mtu = mtu;
                  if (mode == NetworkMode.BRIDGE && bridge != null) {
                    s.bridge = new HostBridgeRef();
                    s.bridge.name = bridge;
                  }
                  return s;
                });
    return Combinators.combine(text("lab", "private"), text("default"), spec)
        .as(
            (name, ns, s) ->
                Fixtures.network(
                    ns == null ? "default" : ns, name, "7c1e0d52-0000-4000-8000-0000000000bb", s));
  }

  @Property(tries = 3000, edgeCases = net.jqwik.api.EdgeCasesMode.NONE)
  void networkSpecsNeverThrowAndRenderBackToTheSameRecord(@ForAll("networks") KvmNetwork n) {
    NETWORKS.incrementAndGet();
    List<String> problems = new ArrayList<>(ResourceNames.problems(n.getMetadata()));
    problems.addAll(NetworkValidator.validate(n.getSpec()));
    assertThat(problems).allSatisfy(p -> assertThat(p).matches("(?s)^(spec|metadata)[.\\[ ].*"));
    if (!problems.isEmpty()) {
      return;
    }
    NETWORKS_VALID.incrementAndGet();
    NetworkXml desired = NetworkDesign.desired(n, NetworkRealizer.naming(n));
    assertThat(XmlCodec.read(XmlCodec.write(desired), NetworkXml.class)).isEqualTo(desired);
  }

  /** A node with images, a pool, host files and links both ways, made once. */
  static final Path ROOT = node();

  static Path node() {
    try {
      Path root = Files.createTempDirectory("kvmop-fuzz-node");
      Path images = Files.createDirectories(root.resolve("var/lib/kvmop/images"));
      Path pool = Files.createDirectories(root.resolve("var/lib/kvmop/pool"));
      Files.createDirectories(root.resolve("etc"));
      Files.writeString(root.resolve("etc/shadow"), "secret");
      Files.writeString(images.resolve("x.qcow2"), "image");
      Files.writeString(pool.resolve("x.qcow2"), "someone's disk");
      Files.createDirectories(images.resolve("sub"));
      Files.createSymbolicLink(images.resolve("out"), Path.of("/etc/shadow"));
      Files.createSymbolicLink(images.resolve("up"), Path.of("../../../../etc"));
      Files.createSymbolicLink(images.resolve("pool"), Path.of("/var/lib/kvmop/pool"));
      Files.createSymbolicLink(images.resolve("in"), Path.of("x.qcow2"));
      Files.createSymbolicLink(images.resolve("sub/back"), Path.of(".."));
      return root;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Provide
  Arbitrary<String> paths() {
    Arbitrary<String> segment =
        Arbitraries.of(
            "var", "lib", "kvmop", "images", "pool", "..", ".", "", "etc", "shadow", "out", "up",
            "in", "sub", "back", "x.qcow2", "dev", "null", "\u0000", "a\nb");
    return Combinators.combine(
            Arbitraries.of("/", "", "/var/lib/kvmop/images/"),
            segment.list().ofMinSize(1).ofMaxSize(8))
        .as((prefix, parts) -> prefix + String.join("/", parts));
  }

  @Property(tries = 2000)
  void noPathOutsideTheImageDirectoriesPassesTheGate(@ForAll("paths") String path) {
    PATHS.incrementAndGet();
    List<String> allowed = List.of("/var/lib/kvmop/images", "/var/lib/kvmop");
    try (AllowedFile f = AllowedFile.open(path, allowed, "/var/lib/kvmop/pool", ROOT)) {
      PATHS_ALLOWED.incrementAndGet();
      assertThat(f.nodePath())
          .startsWith("/var/lib/kvmop/")
          .doesNotStartWith("/var/lib/kvmop/pool");
      assertThat(Files.isRegularFile(ROOT.resolve(f.nodePath().substring(1)))).isTrue();
      assertThat(Files.readString(f.handle())).isEqualTo("image");
    } catch (AllowedFile.Refused e) {
      assertThat(e.getMessage()).isNotBlank();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @AfterContainer
  static void counts() {
    System.out.printf(
        "SpecFuzzTest: %d machine specs (%d valid, rendered and parsed back), %d network specs (%d"
            + " valid), %d paths (%d allowed, all inside the image directories)%n",
        MACHINES.get(),
        MACHINES_VALID.get(),
        NETWORKS.get(),
        NETWORKS_VALID.get(),
        PATHS.get(),
        PATHS_ALLOWED.get());
    System.out.println(
        "SpecFuzzTest: machine rejections by first field: " + new java.util.TreeMap<>(REJECTED));
    // the generators must reach the planner and the XML codec, not only the validators: a run in
    // which (nearly) every spec were refused would prove nothing about what comes after them (a
    // run gives about 20% valid machine specs and 12% valid network specs)
    assertThat(MACHINES_VALID.get())
        .as("machine specs that passed validation and were rendered")
        .isGreaterThan(MACHINES.get() / 10);
    assertThat(NETWORKS_VALID.get())
        .as("network specs that passed validation")
        .isGreaterThan(NETWORKS.get() / 20);
    assertThat(REJECTED).as("refusals, by the field named first").isNotEmpty();
  }
}
