package io.kvmop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.api.BootSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.MachineInterface;
import io.kvmop.api.NetworkMode;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.Shell;
import io.kvmop.testing.TestGuest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Apply to IP on real libvirtd with the tiny guest, on isolated networks: kvmop in standalone and
 * in operator mode against a bare virsh script (define, start, read the lease every 100 ms),
 * interleaved, each {@code runs} times; medians and kvmop's difference to the script.
 */
final class ApplyToIp {
  static final String VIRSH_NET = "kvbench-virsh";
  private final Path dir;
  private final Random random = new Random();
  private final Path guest;

  ApplyToIp(Path dir) {
    this.dir = dir;
    this.guest = TestGuest.build();
  }

  Map<String, Object> run(int runs) throws Exception {
    Path work = Files.createTempDirectory(dir.toAbsolutePath(), "ip-");
    List<Double> virsh = new ArrayList<>();
    List<Double> standalone = new ArrayList<>();
    List<Double> operator = new ArrayList<>();
    virshNetwork(true);
    Map<String, Double> stages;
    try (Standalone s = new Standalone(work.resolve("standalone"));
        Operator o = new Operator(work.resolve("operator"))) {
      for (int i = 0; i < runs; i++) {
        virsh.add(virshOnce(work, i));
        standalone.add(s.once(i));
        operator.add(o.once(i));
        System.out.printf(
            "apply->IP run %d: virsh %.2f s, standalone %.2f s, operator %.2f s%n",
            i + 1, virsh.get(i), standalone.get(i), operator.get(i));
      }
      stages = o.stages();
    } finally {
      virshNetwork(false);
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("scenario", "apply to IP (real libvirtd, tiny guest)");
    r.put("runs", runs);
    r.put("virshMedianSeconds", median(virsh));
    r.put("standaloneMedianSeconds", median(standalone));
    r.put("operatorMedianSeconds", median(operator));
    r.put("standaloneMinusVirsh", Scale.round(median(standalone) - median(virsh)));
    r.put("operatorMinusVirsh", Scale.round(median(operator) - median(virsh)));
    r.put("operatorStagesMs", stages);
    r.put("virsh", virsh);
    r.put("standalone", standalone);
    r.put("operator", operator);
    return r;
  }

  static double median(List<Double> v) {
    List<Double> s = v.stream().sorted().toList();
    return Scale.round(
        s.size() % 2 == 1
            ? s.get(s.size() / 2)
            : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2);
  }

  private void virshNetwork(boolean up) throws IOException {
    Shell.run("virsh", "net-destroy", VIRSH_NET);
    Shell.run("virsh", "net-undefine", VIRSH_NET);
    if (up) {
      Path xml = Files.createTempFile(dir, "net", ".xml");
      Files.writeString(
          xml,
          "<network><name>"
              + VIRSH_NET
              + "</name><bridge name='kvbenchv0'/>"
              + "<ip address='10.236.0.1' netmask='255.255.255.0'><dhcp>"
              + "<range start='10.236.0.10' end='10.236.0.250'/></dhcp></ip></network>");
      must("virsh", "net-define", xml.toString());
      must("virsh", "net-start", VIRSH_NET);
    }
  }

  private String mac() {
    return String.format(
        "52:54:00:%02x:%02x:%02x", random.nextInt(256), random.nextInt(256), random.nextInt(256));
  }

  /** The bare script: define, start, read the lease every 100 ms. */
  private double virshOnce(Path work, int i) throws Exception {
    String name = "kvbench-virsh-" + i;
    Path xml = work.resolve(name + ".xml");
    Files.writeString(
        xml,
        "<domain type='qemu'><name>"
            + name
            + "</name><memory unit='MiB'>128</memory>"
            + "<vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type><kernel>"
            + guest.resolve("vmlinuz")
            + "</kernel><initrd>"
            + guest.resolve("initrd.gz")
            + "</initrd><cmdline>console=ttyS0</cmdline></os><features><acpi/></features>"
            + "<devices><interface type='network'><source network='"
            + VIRSH_NET
            + "'/>"
            + "<mac address='"
            + mac()
            + "'/><model type='virtio'/></interface>"
            + "<serial type='file'><source path='"
            + work.resolve(name + ".log")
            + "'/></serial></devices></domain>");
    long t0 = System.nanoTime();
    must("virsh", "define", xml.toString());
    must("virsh", "start", name);
    while (!Shell.run("virsh", "domifaddr", name, "--source", "lease").output().contains("ipv4")) {
      if ((System.nanoTime() - t0) / 1e9 > 120) {
        throw new IllegalStateException(name + " got no lease in 120 s");
      }
      Thread.sleep(100);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    Shell.run("virsh", "destroy", name);
    Shell.run("virsh", "undefine", name);
    return Scale.round(s);
  }

  static void must(String... cmd) {
    Shell.Result r = Shell.run(cmd);
    if (!r.ok()) {
      throw new IllegalStateException(String.join(" ", cmd) + ": " + r.output());
    }
  }

  KvmNetwork network(String name, String cidr) {
    KvmNetwork n =
        Fixtures.network(Fleet.NS, name, null, Fixtures.spec(NetworkMode.ISOLATED, cidr));
    n.getMetadata().setGeneration(null);
    n.getMetadata().setCreationTimestamp(null);
    return n;
  }

  KvmMachine machine(String name, String network) {
    KvmMachine m = new KvmMachine();
    m.setMetadata(new ObjectMetaBuilder().withNamespace(Fleet.NS).withName(name).build());
    KvmMachineSpec s = new KvmMachineSpec();
    s.memory = "128Mi";
    s.shutdownTimeout = "2s";
    s.boot = new BootSpec();
    s.boot.kernel = guest.resolve("vmlinuz").toString();
    s.boot.initrd = guest.resolve("initrd.gz").toString();
    s.boot.cmdline = "console=ttyS0";
    s.interfaces.add(new MachineInterface("eth0", network));
    m.setSpec(s);
    return m;
  }

  /** kvmop run on a manifest directory: a machine manifest written, its status file read. */
  final class Standalone implements AutoCloseable {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final Path manifests;
    private final AgentProcess agent;

    Standalone(Path run) throws Exception {
      manifests = Files.createDirectories(run.resolve("manifests"));
      Files.writeString(
          manifests.resolve("net.yaml"),
          Serialization.asYaml(network("kvbench-alone", "10.235.0.0/24")));
      agent =
          AgentProcess.start(
              run.resolve("agent.log"),
              Map.of("KVMOP_SERIAL_LOG_DIR", run.resolve("serial").toString()),
              "run",
              "--manifests",
              manifests.toString());
      awaitStatus("KvmNetwork/default/kvbench-alone.yaml", st -> hasReady(st), 120);
    }

    double once(int i) throws Exception {
      String name = "kvbench-alone-" + i;
      Path f = manifests.resolve(name + ".yaml");
      long t0 = System.nanoTime();
      Files.writeString(f, Serialization.asYaml(machine(name, "kvbench-alone")));
      awaitStatus(
          "KvmMachine/default/" + name + ".yaml", st -> st.path("ipAddresses").size() > 0, 120);
      double s = (System.nanoTime() - t0) / 1e9;
      Files.delete(f);
      long t1 = System.nanoTime();
      while (Shell.run("virsh", "dominfo", "kvmop-default-" + name).ok()) {
        if ((System.nanoTime() - t1) / 1e9 > 60) {
          throw new IllegalStateException(name + " not removed");
        }
        Thread.sleep(200);
      }
      return Scale.round(s);
    }

    private void awaitStatus(String file, java.util.function.Predicate<JsonNode> ok, int seconds)
        throws Exception {
      Path p = manifests.resolve(".status").resolve(file);
      long t0 = System.nanoTime();
      while (true) {
        try {
          if (Files.exists(p) && ok.test(YAML.readTree(p.toFile()).path("status"))) {
            return;
          }
        } catch (IOException replaced) {
          // written meanwhile
        }
        if ((System.nanoTime() - t0) / 1e9 > seconds) {
          throw new IllegalStateException(file + " not as expected after " + seconds + " s");
        }
        Thread.sleep(20);
      }
    }

    @Override
    public void close() throws Exception {
      agent.close();
      Shell.runFor(
          120, "java", "-jar", "target/kvmop.jar", "delete", "--manifests", manifests.toString());
    }
  }

  static boolean hasReady(JsonNode status) {
    for (JsonNode c : status.path("conditions")) {
      if ("Ready".equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
        return true;
      }
    }
    return false;
  }

  /** The agent against the mock API: a KvmMachine created, its status watched. */
  final class Operator implements AutoCloseable {
    private final MockApi api;
    private final AgentProcess agent;

    Operator(Path run) throws Exception {
      Files.createDirectories(run);
      api = new MockApi(run);
      agent =
          AgentProcess.start(
              run.resolve("agent.log"),
              Map.of(
                  "KUBECONFIG",
                  api.kubeconfig.toString(),
                  "NODE_NAME",
                  "kvbench-node",
                  "KVMOP_SERIAL_LOG_DIR",
                  run.resolve("serial").toString()),
              "operator");
      api.client.resource(network("kvbench-op", "10.234.0.0/24")).create();
      long t0 = System.nanoTime();
      while (!ready()) {
        if ((System.nanoTime() - t0) / 1e9 > 120) {
          throw new IllegalStateException("network kvbench-op not Ready; see " + run);
        }
        Thread.sleep(50);
      }
    }

    /**
     * Where the agent's passes went, in mean milliseconds per pass: each stage of the pass, and the
     * libvirt define and start calls themselves (the agent's /metrics).
     */
    Map<String, Double> stages() {
      String metrics = agent.metrics(); // read once: every figure from the same moment
      Map<String, Double> out = new LinkedHashMap<>();
      for (String st : List.of("validate", "observe", "provision", "plan", "apply", "report")) {
        out.put(st, mean(metrics, "kvmop_machine_pass_stage_seconds", "stage=\"" + st + "\""));
      }
      for (String op : List.of("define domain", "start domain")) {
        out.put(op, mean(metrics, "kvmop_libvirt_calls_seconds", "operation=\"" + op + "\""));
      }
      return out;
    }

    private static double mean(String metrics, String name, String label) {
      double count = AgentProcess.metricSum(metrics, name + "_count", label);
      return count == 0
          ? -1
          : Scale.round(AgentProcess.metricSum(metrics, name + "_sum", label) / count * 1000);
    }

    private boolean ready() {
      KvmNetwork n =
          api.client.resources(KvmNetwork.class).inNamespace(Fleet.NS).withName("kvbench-op").get();
      return n != null
          && n.getStatus() != null
          && io.kvmop.status.Conditions.isTrue(n.getStatus().conditions, "Ready");
    }

    double once(int i) throws Exception {
      String name = "kvbench-op-" + i;
      KvmMachine m = machine(name, "kvbench-op");
      m.getSpec().nodeName = "kvbench-node";
      var res = api.client.resources(KvmMachine.class).inNamespace(Fleet.NS).withName(name);
      long t0 = System.nanoTime();
      api.client.resource(m).create();
      while (true) {
        KvmMachine now = res.get();
        if (now.getStatus() != null && !now.getStatus().ipAddresses.isEmpty()) {
          break;
        }
        if ((System.nanoTime() - t0) / 1e9 > 120) {
          throw new IllegalStateException(name + " got no address in 120 s");
        }
        Thread.sleep(20);
      }
      double s = (System.nanoTime() - t0) / 1e9;
      res.delete();
      long t1 = System.nanoTime();
      while (res.get() != null) {
        if ((System.nanoTime() - t1) / 1e9 > 60) {
          throw new IllegalStateException(name + " not removed");
        }
        Thread.sleep(100);
      }
      return Scale.round(s);
    }

    @Override
    public void close() {
      // the agent removes the libvirt network before the KvmNetwork goes: wait for that
      for (KvmNetwork n :
          api.client.resources(KvmNetwork.class).inNamespace(Fleet.NS).list().getItems()) {
        var res = api.client.resource(n);
        res.delete();
        res.waitUntilCondition(
            java.util.Objects::isNull, 30, java.util.concurrent.TimeUnit.SECONDS);
      }
      agent.close();
      api.close();
    }
  }
}
