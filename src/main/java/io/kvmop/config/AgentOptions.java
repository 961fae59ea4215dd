package io.kvmop.config;

import io.kvmop.config.SettingValues.MigrationUri;
import io.kvmop.config.SettingValues.OverlayAddress;
import io.kvmop.config.SettingValues.Seconds;
import io.kvmop.disk.StorageConfig;
import java.time.Duration;
import java.util.Locale;
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
      defaultValue = "",
      names = "--node-name",
      description =
          "The node this agent acts for (NODE_NAME, from the downward API). Default: the host name.")
  String nodeName;

  @Option(
      defaultValue = "qemu:///system",
      names = "--libvirt-uri",
      description = "The node's libvirt (default ${DEFAULT-VALUE}).")
  String libvirtUri;

  @Option(
      defaultValue = "5",
      converter = Seconds.class,
      names = "--autostart-check-seconds",
      description =
          "How often the autostart flag of owned networks is read (default ${DEFAULT-VALUE}).")
  Duration autostartCheck;

  @Option(
      defaultValue = "15",
      converter = Seconds.class,
      names = "--blocked-recheck-seconds",
      description =
          "How often a network blocked by the host is looked at again (default ${DEFAULT-VALUE}).")
  Duration blockedRecheck;

  @Option(
      defaultValue = "/var/log/kvmop",
      names = "--serial-log-dir",
      description = "Where machines' serial consoles are written (default ${DEFAULT-VALUE}).")
  String serialLogDir;

  @Option(
      defaultValue = "/var/lib/libvirt/dnsmasq",
      names = "--dnsmasq-dir",
      description = "libvirt's dnsmasq state, watched for leases (default ${DEFAULT-VALUE}).")
  String dnsmasqDir;

  @Option(
      defaultValue = "60",
      converter = Seconds.class,
      names = "--host-recheck-seconds",
      description =
          "How often the host's files are read again for the KvmHost (default ${DEFAULT-VALUE}).")
  Duration hostRecheck;

  @Option(
      defaultValue = "false",
      names = "--repair-default-network",
      arity = "1",
      description =
          "Recreate, start and autostart libvirt's default network (default ${DEFAULT-VALUE}: only reported).")
  boolean repairDefaultNetwork;

  @Option(
      defaultValue = "/usr/share/libvirt/networks/default.xml",
      names = "--default-network-xml",
      description =
          "libvirt's shipped definition of the default network (default ${DEFAULT-VALUE}).")
  String defaultNetworkXml;

  @Option(
      defaultValue = "/",
      names = "--host-root",
      description =
          "Where the host's / is seen (default ${DEFAULT-VALUE}; /host in the DaemonSet).")
  String hostRoot;

  @Option(
      defaultValue = "libvirt-qemu",
      names = "--qemu-user",
      description = "The user libvirt runs QEMU as (default ${DEFAULT-VALUE}).")
  String qemuUser;

  @Option(
      defaultValue = StorageConfig.DEFAULT_POOL,
      names = "--storage-pool-name",
      description = "kvmop's libvirt directory pool (default ${DEFAULT-VALUE}).")
  String storagePoolName;

  @Option(
      defaultValue = StorageConfig.DEFAULT_PATH,
      names = "--storage-pool-path",
      description = "Its directory, seen by the agent at the same path (default ${DEFAULT-VALUE}).")
  String storagePoolPath;

  @Option(
      defaultValue = "86400",
      converter = Seconds.class,
      names = "--image-cache-unused-seconds",
      description =
          "A downloaded image no volume used for this long is deleted (default ${DEFAULT-VALUE}).")
  Duration imageCacheUnused;

  @Option(
      defaultValue = "9477",
      names = "--http-port",
      description =
          "Port of /metrics, /healthz, /readyz; 0 picks one, -1 turns them off (default ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      defaultValue = "info",
      names = "--log-level",
      description = "error, warn, info, debug or trace (default ${DEFAULT-VALUE}).")
  String logLevel;

  @Option(
      defaultValue = "text",
      names = "--log-format",
      description =
          "text (one line per message, [thread] LEVEL logger - message) or json (one object per"
              + " line: time, level, logger, thread, message, error; default ${DEFAULT-VALUE}).")
  String logFormat;

  @Option(
      defaultValue = "",
      converter = MigrationUri.class,
      names = "--migration-uri",
      description =
          "This node's libvirtd as other nodes' libvirtd reach it to migrate machines here, e.g."
              + " qemu+tls://10.0.0.12/system (default: none, this node accepts no migrations).")
  String migrationUri;

  @Option(
      defaultValue = "",
      names = "--migration-address",
      description =
          "The address migrations' memory and disk streams come to on this node (default:"
              + " libvirt's choice, the node's host name).")
  String migrationAddress;

  @Option(
      defaultValue = "",
      converter = OverlayAddress.class,
      names = "--overlay-address",
      description =
          "This node's address the tunnels of spanning KvmNetworks (spec.span) run from: the"
              + " node's primary address (default: none, spanning networks are not realised here).")
  String overlayAddress;

  @Option(
      defaultValue = "",
      names = "--lease-namespace",
      description =
          "Namespace of the node's agent Lease (the DaemonSet's own; default: the pod's service"
              + " account namespace, else default).")
  String leaseNamespace;

  @Option(
      defaultValue = "",
      names = "--agent-id",
      description =
          "This agent's identity in the node's Lease (the DaemonSet sets the pod name; default:"
              + " host name and process id).")
  String agentId;

  /** The environment variable of a flag. */
  public static String variable(String flag) {
    return flag.equals("--node-name")
        ? "NODE_NAME"
        : "KVMOP_" + flag.substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** Flags over environment over defaults; a bad value is named as the user wrote it. */
  public static AgentOptions parse(String[] args, Map<String, String> env) {
    AgentOptions o = new AgentOptions();
    CommandLine cl = new CommandLine(o);
    cl.setDefaultValueProvider(
        spec ->
            spec instanceof CommandLine.Model.OptionSpec opt
                ? env.getOrDefault(variable(opt.longestName()), spec.defaultValue())
                : spec.defaultValue());
    try {
      cl.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(SettingValues.named(e, args), e);
    }
    return o;
  }

  public OperatorConfig toConfig() {
    return OperatorConfig.of(this);
  }
}
