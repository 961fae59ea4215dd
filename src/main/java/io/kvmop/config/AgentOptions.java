package io.kvmop.config;

import io.kvmop.disk.StorageConfig;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Every setting of the agent, as a flag and as its environment variable (the flag wins; the
 * DaemonSet sets the variables). Read once into an {@link OperatorConfig}. The variable of {@code
 * --some-flag} is {@code KVMOP_SOME_FLAG}, except {@code --node-name}: NODE_NAME.
 */
public final class AgentOptions {
  @Option(
      names = "--node-name",
      description =
          "The node this agent acts for (NODE_NAME, from the downward API). Default: the host name.")
  String nodeName = "";

  @Option(names = "--libvirt-uri", description = "The node's libvirt (default ${DEFAULT-VALUE}).")
  String libvirtUri = "qemu:///system";

  @Option(
      names = "--autostart-check-seconds",
      description =
          "How often the autostart flag of owned networks is read (default ${DEFAULT-VALUE}).")
  String autostartCheckSeconds = "5";

  @Option(
      names = "--blocked-recheck-seconds",
      description =
          "How often a network blocked by the host is looked at again (default ${DEFAULT-VALUE}).")
  String blockedRecheckSeconds = "15";

  @Option(
      names = "--serial-log-dir",
      description = "Where machines' serial consoles are written (default ${DEFAULT-VALUE}).")
  String serialLogDir = "/var/log/kvmop";

  @Option(
      names = "--dnsmasq-dir",
      description = "libvirt's dnsmasq state, watched for leases (default ${DEFAULT-VALUE}).")
  String dnsmasqDir = "/var/lib/libvirt/dnsmasq";

  @Option(
      names = "--host-recheck-seconds",
      description =
          "How often the host's files are read again for the KvmHost (default ${DEFAULT-VALUE}).")
  String hostRecheckSeconds = "60";

  @Option(
      names = "--repair-default-network",
      arity = "1",
      description =
          "Recreate, start and autostart libvirt's default network (default ${DEFAULT-VALUE}: only reported).")
  String repairDefaultNetwork = "false";

  @Option(
      names = "--default-network-xml",
      description =
          "libvirt's shipped definition of the default network (default ${DEFAULT-VALUE}).")
  String defaultNetworkXml = "/usr/share/libvirt/networks/default.xml";

  @Option(
      names = "--host-root",
      description =
          "Where the host's / is seen (default ${DEFAULT-VALUE}; /host in the DaemonSet).")
  String hostRoot = "/";

  @Option(
      names = "--qemu-user",
      description = "The user libvirt runs QEMU as (default ${DEFAULT-VALUE}).")
  String qemuUser = "libvirt-qemu";

  @Option(
      names = "--storage-pool-name",
      description = "kvmop's libvirt directory pool (default ${DEFAULT-VALUE}).")
  String storagePoolName = StorageConfig.DEFAULT_POOL;

  @Option(
      names = "--storage-pool-path",
      description = "Its directory, seen by the agent at the same path (default ${DEFAULT-VALUE}).")
  String storagePoolPath = StorageConfig.DEFAULT_PATH;

  @Option(
      names = "--image-cache-unused-seconds",
      description =
          "A downloaded image no volume used for this long is deleted (default ${DEFAULT-VALUE}).")
  String imageCacheUnusedSeconds = "86400";

  @Option(
      names = "--http-port",
      description =
          "Port of /metrics, /healthz, /readyz; 0 picks one, -1 turns them off (default ${DEFAULT-VALUE}).")
  String httpPort = "9477";

  @Option(
      names = "--log-level",
      description = "error, warn, info, debug or trace (default ${DEFAULT-VALUE}).")
  String logLevel = "info";

  @Option(
      names = "--log-format",
      description =
          "text (one line per message, [thread] LEVEL logger - message) or json (one object per"
              + " line: time, level, logger, thread, message, error; default ${DEFAULT-VALUE}).")
  String logFormat = "text";

  @Option(
      names = "--migration-uri",
      description =
          "This node's libvirtd as other nodes' libvirtd reach it to migrate machines here, e.g."
              + " qemu+tls://10.0.0.12/system (default: none, this node accepts no migrations).")
  String migrationUri = "";

  @Option(
      names = "--migration-address",
      description =
          "The address migrations' memory and disk streams come to on this node (default:"
              + " libvirt's choice, the node's host name).")
  String migrationAddress = "";

  @Option(
      names = "--overlay-address",
      description =
          "This node's address the tunnels of spanning KvmNetworks (spec.span) run from: the"
              + " node's primary address (default: none, spanning networks are not realised here).")
  String overlayAddress = "";

  @Option(
      names = "--lease-namespace",
      description =
          "Namespace of the node's agent Lease (the DaemonSet's own; default: the pod's service"
              + " account namespace, else default).")
  String leaseNamespace = "";

  @Option(
      names = "--agent-id",
      description =
          "This agent's identity in the node's Lease (the DaemonSet sets the pod name; default:"
              + " host name and process id).")
  String agentId = "";

  /** The environment variable of a flag. */
  public static String variable(String flag) {
    return flag.equals("--node-name")
        ? "NODE_NAME"
        : "KVMOP_" + flag.substring(2).toUpperCase(java.util.Locale.ROOT).replace('-', '_');
  }

  /** Flags over environment over defaults. */
  public static AgentOptions parse(String[] args, Map<String, String> env) {
    AgentOptions o = new AgentOptions();
    CommandLine cl = new CommandLine(o);
    cl.setDefaultValueProvider(
        spec ->
            spec instanceof CommandLine.Model.OptionSpec opt
                ? env.getOrDefault(variable(opt.longestName()), spec.defaultValue())
                : spec.defaultValue());
    cl.parseArgs(args);
    return o;
  }

  public OperatorConfig toConfig() {
    return OperatorConfig.of(this);
  }
}
