package io.kvmop;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kvmop.host.HostFiles;
import io.kvmop.host.HostInspector;
import io.kvmop.host.LinuxHostNetwork;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.machine.MachineRealizer;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.standalone.StandaloneAgent;
import io.kvmop.standalone.StandaloneRunner;
import io.kvmop.standalone.StatusTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kvmop's commands:
 *
 * <pre>
 * kvmop [operator]                       the node agent, against the current kubeconfig or in-cluster config
 * kvmop run --manifests DIR [--libvirt-uri URI] [--status-dir DIR] [--until-ready SECONDS]
 * kvmop get [--manifests DIR | --status-dir DIR] [-w]
 * kvmop delete --manifests DIR [--libvirt-uri URI]
 * </pre>
 */
public final class Main {
  static {
    // before the first logger exists: slf4j-simple reads its level once
    String level = System.getenv("KVMOP_LOG_LEVEL");
    if (level != null
        && !level.isBlank()
        && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level.strip());
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    String command = args.length == 0 || args[0].startsWith("-") ? "operator" : args[0];
    Map<String, String> opts = options(args);
    switch (command) {
      case "operator" -> operator();
      case "run" -> System.exit(run(opts));
      case "get" -> get(opts);
      case "delete" -> System.exit(delete(opts));
      default -> {
        System.err.println("unknown command '" + command + "': use operator, run, get or delete");
        System.exit(2);
      }
    }
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("-w")) {
        o.put("watch", "true");
      } else if (args[i].startsWith("--")) {
        String key = args[i].substring(2);
        int eq = key.indexOf('=');
        if (eq >= 0) {
          o.put(key.substring(0, eq), key.substring(eq + 1));
        } else if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
          o.put(key, args[++i]);
        } else {
          o.put(key, "true");
        }
      }
    }
    return o;
  }

  private static void operator() throws InterruptedException {
    OperatorConfig config = OperatorConfig.fromEnvironment(System.getenv());
    KubernetesClient client = new KubernetesClientBuilder().build();
    JnaLibvirt libvirt = new JnaLibvirt(config.libvirtUri());
    KvmopOperator operator =
        new KvmopOperator(
            config,
            client,
            libvirt,
            new LinuxHostNetwork(),
            new HostFiles(Path.of(config.hostRoot()), config.qemuUser()));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  operator.close();
                  libvirt.close();
                  client.close();
                }));
    operator.start();
    LOG.info(
        "kvmop agent for node {} running against {} and {}",
        config.nodeName(),
        config.libvirtUri(),
        client.getMasterUrl());
    Thread.currentThread().join();
  }

  private static Path manifests(Map<String, String> o) {
    String dir = o.get("manifests");
    if (dir == null || !Files.isDirectory(Path.of(dir))) {
      throw new IllegalArgumentException(
          "--manifests DIR is required and must be a directory (got " + dir + ")");
    }
    return Path.of(dir).toAbsolutePath();
  }

  private static StandaloneAgent agent(Map<String, String> o, JnaLibvirt libvirt, Path manifests) {
    Map<String, String> env = new HashMap<>(System.getenv());
    OperatorConfig config = OperatorConfig.fromEnvironment(env);
    Clock clock = Clock.systemUTC();
    HostInspector kvm =
        new HostInspector(
            new HostFiles(Path.of(config.hostRoot()), config.qemuUser()),
            libvirt,
            clock,
            Duration.ofSeconds(30));
    Path status = Path.of(o.getOrDefault("status-dir", manifests.resolve(".status").toString()));
    var disks =
        new io.kvmop.disk.DiskProvisioner(
            libvirt.storage(),
            config.storage(),
            new io.kvmop.disk.ImageCache(config.storage(), libvirt.storage(), clock));
    libvirt.addListener(new io.kvmop.disk.PoolWatcher(disks.pool(), config.storage().poolName()));
    return new StandaloneAgent(
        manifests,
        status,
        config.nodeName(),
        libvirt,
        new NetworkRealizer(config.nodeName(), libvirt, new LinuxHostNetwork(), clock),
        new MachineRealizer(
            config.nodeName(),
            libvirt,
            kvm,
            config.serialLogDir(),
            clock,
            new HostFiles(Path.of(config.hostRoot()), config.qemuUser())::pciDevice,
            disks),
        clock);
  }

  /** Standalone: reconcile a manifest directory until Ctrl-C, or until every machine is Ready. */
  static int run(Map<String, String> o) throws Exception {
    Path manifests = manifests(o);
    try (JnaLibvirt libvirt = new JnaLibvirt(o.getOrDefault("libvirt-uri", "qemu:///system"))) {
      StandaloneAgent agent = agent(o, libvirt, manifests);
      StandaloneRunner runner = new StandaloneRunner(agent, manifests, libvirt);
      String until = o.get("until-ready");
      Map<String, String>[] announced = new Map[] {Map.of()};
      boolean ready =
          runner.run(
              () -> {
                Map<String, String> r = agent.readyMachines();
                if (r != null && !r.equals(announced[0])) {
                  r.forEach((m, ip) -> System.out.println("machine " + m + " is Ready: " + ip));
                  announced[0] = r;
                }
                return until != null && r != null;
              },
              until == null
                  ? null
                  : Instant.now()
                      .plusSeconds(Long.parseLong(until.equals("true") ? "300" : until)));
      if (!ready) {
        System.err.println(
            "not every machine became Ready in time; see kvmop get --manifests " + manifests);
        return 1;
      }
      return 0;
    }
  }

  static int delete(Map<String, String> o) throws Exception {
    Path manifests = manifests(o);
    try (JnaLibvirt libvirt = new JnaLibvirt(o.getOrDefault("libvirt-uri", "qemu:///system"))) {
      StandaloneAgent agent = agent(o, libvirt, manifests);
      Instant deadline = Instant.now().plusSeconds(300);
      while (Instant.now().isBefore(deadline)) {
        if (agent.removeAll()) {
          System.out.println("removed everything kvmop created from " + manifests);
          return 0;
        }
        Thread.sleep(500);
      }
      System.err.println("some machines did not shut down in time; run delete again");
      return 1;
    }
  }

  static void get(Map<String, String> o) throws Exception {
    Path status =
        Path.of(
            o.getOrDefault(
                "status-dir",
                Path.of(o.getOrDefault("manifests", ".")).resolve(".status").toString()));
    do {
      System.out.print(StatusTable.render(status, Instant.now()));
      if (o.containsKey("watch")) {
        Thread.sleep(1000);
        System.out.println();
      }
    } while (o.containsKey("watch"));
  }
}
