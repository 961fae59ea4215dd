package io.kvmop.cli;

import io.kvmop.config.AgentOptions;
import io.kvmop.config.SettingValues;
import io.kvmop.standalone.DirectoryLock;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
      OperatorCommand.class,
      RunCommand.class,
      GetCommand.class,
      DeleteCommand.class,
      ConsoleCommand.class,
      VncCommand.class,
      PortForwardCommand.class,
      SshCommand.class,
      RelayCommand.class,
      PowerCommand.Start.class,
      PowerCommand.Stop.class,
      PowerCommand.Restart.class,
      PowerCommand.Pause.class,
      PowerCommand.Unpause.class,
      MigrateCommand.class
    })
public final class KvmopCommand {
  /** The command line, with environment variables as the defaults of the flags. */
  public static CommandLine commandLine(Map<String, String> env) {
    CommandLine cl = new CommandLine(new KvmopCommand());
    cl.setDefaultValueProvider(
        spec ->
            spec instanceof CommandLine.Model.OptionSpec opt
                    && opt.longestName().startsWith("--")
                    && isAgentSetting(opt)
                ? env.getOrDefault(AgentOptions.variable(opt.longestName()), spec.defaultValue())
                : spec.defaultValue());
    CommandLine.IParameterExceptionHandler usage = cl.getParameterExceptionHandler();
    cl.setParameterExceptionHandler(
        (e, args) -> {
          if (e.getArgSpec() instanceof CommandLine.Model.OptionSpec opt && isAgentSetting(opt)) {
            // a bad setting is named as the user gave it: the flag, or the DaemonSet's variable
            e.getCommandLine().getErr().println("kvmop: " + SettingValues.named(e, args));
            return e.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
          }
          return usage.handleParseException(e, args);
        });
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof DirectoryLock.HeldException) {
            cmd.getErr().println("kvmop: " + e.getMessage());
            return 1;
          }
          if (e instanceof ClusterClient.NoCluster) {
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
  public static String[] withDefaultCommand(String[] args) {
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
}
