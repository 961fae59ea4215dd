package io.kvmop;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kvmop.host.HostFiles;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.network.LinuxHostNetwork;
import io.kvmop.standalone.DirectoryLock;
import io.kvmop.standalone.StandaloneAgent;
import io.kvmop.standalone.StandaloneRunner;
import io.kvmop.standalone.StatusTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * kvmop's commands. Every agent setting is a flag and an environment variable (see {@link
 * AgentOptions}); {@code kvmop --help} and {@code kvmop COMMAND --help} list them.
 *
 * <pre>
 * kvmop [operator]                       the node agent, against the current kubeconfig or in-cluster config
 * kvmop run --manifests DIR [--status-dir DIR] [--until-ready [SECONDS]]
 * kvmop get [--manifests DIR | --status-dir DIR] [-w]
 * kvmop delete --manifests DIR
 * kvmop start|stop|restart|pause|unpause NAME [-n NAMESPACE] [--wait SECONDS]
 * kvmop migrate NAME [--to NODE] [-n NAMESPACE] [--timeout 10m] [--on-timeout Abort|Pause|Postcopy]
 * kvmop console NAME [-n NAMESPACE] [--local]
 * kvmop vnc NAME [--port LOCAL] | kvmop port-forward NAME LOCAL:REMOTE | kvmop ssh NAME [-- ARGS]
 *   [-n NAMESPACE] [--local]
 * </pre>
 */
@Command(
    name = "kvmop",
    mixinStandardHelpOptions = true,
    version = "kvmop 0.1.0",
    description = "KVM machines and private networks on bare-metal hosts, declared as resources.",
    footer = {
      "",
      "Every agent flag --some-flag is also the environment variable KVMOP_SOME_FLAG"
          + " (--node-name: NODE_NAME); a flag wins over its variable."
    },
    subcommands = {
      Main.OperatorCommand.class,
      Main.RunCommand.class,
      Main.GetCommand.class,
      Main.DeleteCommand.class,
      io.kvmop.cli.ConsoleCommand.class,
      io.kvmop.cli.VncCommand.class,
      io.kvmop.cli.PortForwardCommand.class,
      io.kvmop.cli.SshCommand.class,
      io.kvmop.cli.RelayCommand.class,
      io.kvmop.cli.PowerCommand.Start.class,
      io.kvmop.cli.PowerCommand.Stop.class,
      io.kvmop.cli.PowerCommand.Restart.class,
      io.kvmop.cli.PowerCommand.Pause.class,
      io.kvmop.cli.PowerCommand.Unpause.class,
      io.kvmop.cli.MigrateCommand.class
    })
public final class Main {
  static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  static {
    // With one or two CPUs (a DaemonSet pod with a small CPU limit) the common pool has a
    // parallelism of one, and CompletableFuture then starts a new thread for every asynchronous
    // step: the HTTP client's completions made thousands of threads a minute under load.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(
          COMMON_POOL_PARALLELISM,
          String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  public static void main(String[] args) {
    String refused = io.kvmop.logging.LogSettings.configure(args, System.getenv());
    if (refused != null) {
      System.err.println("kvmop: " + refused);
      System.exit(2);
    }
    System.exit(commandLine(System.getenv()).execute(withDefaultCommand(args)));
  }

  /** The command line, with environment variables as the defaults of the flags. */
  static CommandLine commandLine(Map<String, String> env) {
    CommandLine cl = new CommandLine(new Main());
    cl.setDefaultValueProvider(
        spec ->
            spec instanceof CommandLine.Model.OptionSpec opt
                    && opt.longestName().startsWith("--")
                    && isAgentSetting(opt)
                ? env.getOrDefault(AgentOptions.variable(opt.longestName()), spec.defaultValue())
                : spec.defaultValue());
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof DirectoryLock.HeldException) {
            cmd.getErr().println("kvmop: " + e.getMessage());
            return 1;
          }
          if (e instanceof io.kvmop.cli.ClusterClient.NoCluster) {
            cmd.getErr().println("kvmop: " + e.getMessage());
            return 2;
          }
          if (e instanceof io.fabric8.kubernetes.client.KubernetesClientException k
              && !"operator".equals(cmd.getCommandName())) {
            Throwable root = k;
            while (root.getCause() != null) {
              root = root.getCause();
            }
            cmd.getErr()
                .println(
                    k.getCode() > 0
                        ? "kvmop: the cluster answered HTTP " + k.getCode() + ": " + k.getMessage()
                        : "kvmop: cannot reach the cluster ("
                            + root
                            + "); check the kubeconfig's server and that it is up");
            return 1;
          }
          if (!"operator".equals(cmd.getCommandName()) && !"run".equals(cmd.getCommandName())) {
            // a user's command prints what went wrong, never a stack trace
            cmd.getErr().println("kvmop: " + cmd.getCommandName() + " failed: " + e);
            return 1;
          }
          throw e;
        });
    return cl;
  }

  private static boolean isAgentSetting(CommandLine.Model.OptionSpec opt) {
    return opt.userObject() instanceof java.lang.reflect.Field f
        && f.getDeclaringClass() == AgentOptions.class;
  }

  /** Without a command (or with only flags) kvmop is the node agent. */
  static String[] withDefaultCommand(String[] args) {
    if (args.length > 0
        && (!args[0].startsWith("-")
            || args[0].equals("-h")
            || args[0].equals("--help")
            || args[0].equals("-V")
            || args[0].equals("--version"))) {
      return args;
    }
    String[] out = new String[args.length + 1];
    out[0] = "operator";
    System.arraycopy(args, 0, out, 1, args.length);
    return out;
  }

  @Command(
      name = "operator",
      mixinStandardHelpOptions = true,
      description = "Run the node agent against the cluster (kubeconfig or in-cluster config).",
      footer = {
        "",
        "Every flag --some-flag is also the environment variable KVMOP_SOME_FLAG"
            + " (--node-name: NODE_NAME); a flag wins over its variable."
      })
  static final class OperatorCommand implements Callable<Integer> {
    @Mixin AgentOptions options;

    @Override
    public Integer call() throws InterruptedException {
      OperatorConfig config = options.toConfig();
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
      operator.onLeaseLost(
          () -> {
            // another agent acts for this node now: exit, and let the DaemonSet start us afresh
            LOG.error("lost this node's lease: exiting");
            System.exit(1);
          });
      operator.start();
      LOG.info(
          "kvmop agent for node {} running against {} and {}",
          config.nodeName(),
          config.libvirtUri(),
          client.getMasterUrl());
      Thread.currentThread().join();
      return 0;
    }
  }

  /** The manifest directory options of the standalone commands. */
  static final class ManifestOptions {
    @Option(
        names = "--manifests",
        required = true,
        description = "Directory of KvmNetwork, KvmMachine and Secret YAML (recursively).")
    Path manifests;

    @Option(names = "--status-dir", description = "Where status YAML goes (default DIR/.status).")
    Path statusDir;

    Path dir() {
      if (!Files.isDirectory(manifests)) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--manifests " + manifests + " is not a directory");
      }
      return manifests.toAbsolutePath();
    }

    Path status() {
      return statusDir != null ? statusDir : dir().resolve(".status");
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description =
          "Reconcile a manifest directory against this host's libvirt, no cluster needed.")
  static final class RunCommand implements Callable<Integer> {
    @Mixin AgentOptions options;
    @Mixin ManifestOptions dir;
    @Mixin HostPolicyOptions policy;

    @Option(
        names = "--until-ready",
        arity = "0..1",
        fallbackValue = "300",
        paramLabel = "SECONDS",
        description =
            "Exit once every machine is Ready (0), or after SECONDS (1); default: run until Ctrl-C.")
    Long untilReady;

    @Override
    public Integer call() throws Exception {
      OperatorConfig config = options.toConfig();
      Path manifests = dir.dir();
      try (DirectoryLock lock = DirectoryLock.acquire(dir.status(), manifests, "run");
          JnaLibvirt libvirt = new JnaLibvirt(config.libvirtUri())) {
        StandaloneAgent agent = agent(config, policy.toSpec(), libvirt, manifests, dir.status());
        StandaloneRunner runner = new StandaloneRunner(agent, manifests, libvirt);
        Map<String, String>[] announced = new Map[] {Map.of()};
        boolean ready =
            runner.run(
                () -> {
                  Map<String, String> r = agent.readyMachines();
                  if (r != null && !r.equals(announced[0])) {
                    r.forEach((m, ip) -> System.out.println("machine " + m + " is Ready: " + ip));
                    announced[0] = r;
                  }
                  return untilReady != null && r != null;
                },
                untilReady == null ? null : Instant.now().plusSeconds(untilReady));
        if (!ready) {
          System.err.println(
              "not every machine became Ready in time; see kvmop get --manifests " + manifests);
          return 1;
        }
        return 0;
      }
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Remove everything standalone kvmop created from a manifest directory.")
  static final class DeleteCommand implements Callable<Integer> {
    @Mixin AgentOptions options;
    @Mixin ManifestOptions dir;
    @Mixin HostPolicyOptions policy;

    @Override
    public Integer call() throws Exception {
      OperatorConfig config = options.toConfig();
      Path manifests = dir.dir();
      try (DirectoryLock lock = DirectoryLock.acquire(dir.status(), manifests, "delete");
          JnaLibvirt libvirt = new JnaLibvirt(config.libvirtUri())) {
        StandaloneAgent agent = agent(config, policy.toSpec(), libvirt, manifests, dir.status());
        Instant deadline = Instant.now().plusSeconds(300);
        while (Instant.now().isBefore(deadline)) {
          if (agent.removeAll()) {
            java.util.List<String> kept = agent.keptVolumes();
            if (kept.isEmpty()) {
              System.out.println("removed everything kvmop created from " + manifests);
            } else {
              System.out.println(
                  "removed everything kvmop created from "
                      + manifests
                      + " but the volumes of disks removed from a spec earlier, kept as they may"
                      + " hold data:");
              kept.forEach(k -> System.out.println("  " + k));
            }
            return 0;
          }
          Thread.sleep(500); // machines are shutting down; nothing raises an event for "gone"
        }
        System.err.println("some machines did not shut down in time; run delete again");
        return 1;
      }
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = "Print standalone resources as a table: kind, name, phase, node, IP, age.")
  static final class GetCommand implements Callable<Integer> {
    @Option(names = "--manifests", defaultValue = ".", description = "The manifest directory.")
    Path manifests;

    @Option(names = "--status-dir", description = "Where status YAML is (default DIR/.status).")
    Path statusDir;

    @Option(
        names = {"-w", "--watch"},
        description = "Then print each resource again whenever its row changes.")
    boolean watch;

    @Override
    public Integer call() throws Exception {
      Path status = statusDir != null ? statusDir : manifests.resolve(".status");
      if (!watch) {
        System.out.print(StatusTable.render(status, Instant.now()));
        return 0;
      }
      StatusTable.Watch w = new StatusTable.Watch();
      while (true) {
        System.out.print(w.next(status, Instant.now())); // only what changed, as kubectl -w
        System.out.flush();
        Thread.sleep(1000); // the status files raise no event kvmop get listens to
      }
    }
  }

  /** The standalone agent as run and delete build it (tests give it a port of their own). */
  static StandaloneAgent agent(
      OperatorConfig config, LibvirtPort libvirt, Path manifests, Path status) {
    return agent(config, new io.kvmop.api.KvmHostSpec(), libvirt, manifests, status);
  }

  /**
   * @param host what the node's admin allows the manifests to use (the standalone flags)
   */
  static StandaloneAgent agent(
      OperatorConfig config,
      io.kvmop.api.KvmHostSpec host,
      LibvirtPort libvirt,
      Path manifests,
      Path status) {
    NodeCore core =
        NodeCore.of(
            config,
            libvirt,
            new LinuxHostNetwork(),
            new HostFiles(Path.of(config.hostRoot()), config.qemuUser()));
    return new StandaloneAgent(
        manifests,
        status,
        config.nodeName(),
        libvirt,
        core.networks(),
        core.machines(),
        io.kvmop.machine.NodePolicy.of(host).fromFlags(),
        core.clock());
  }
}
