package io.kvmop.config;

import io.kvmop.disk.StorageConfig;
import io.kvmop.migration.MigrationUris;
import io.kvmop.network.Ipv4;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the agent is told, read once at start.
 *
 * @param nodeName the node this agent acts for (NODE_NAME, from the downward API)
 * @param libvirtUri the node's libvirt (KVMOP_LIBVIRT_URI, default qemu:///system)
 * @param autostartCheck how often the autostart flag of owned networks is read, since libvirt
 *     raises no event for it (KVMOP_AUTOSTART_CHECK_SECONDS, default 5)
 * @param blockedRecheck how soon a network blocked by something outside libvirt's events (an
 *     address held by a host interface, libvirtd unreachable) is looked at again
 *     (KVMOP_BLOCKED_RECHECK_SECONDS, default 15)
 * @param serialLogDir where machines' serial consoles are written, one directory per namespace
 *     (KVMOP_SERIAL_LOG_DIR, default /var/log/kvmop)
 * @param leaseDir libvirt's dnsmasq state directory, watched for new DHCP leases
 *     (KVMOP_DNSMASQ_DIR, default /var/lib/libvirt/dnsmasq)
 * @param hostRecheck how often the host's files (/proc/cpuinfo, /dev/kvm, ...), which raise no
 *     events, are read again for the KvmHost (KVMOP_HOST_RECHECK_SECONDS, default 60)
 * @param repairDefaultNetwork recreate, start and autostart libvirt's default network when it is
 *     missing or down (KVMOP_REPAIR_DEFAULT_NETWORK, default false: only reported)
 * @param defaultNetworkXml libvirt's shipped definition of it (KVMOP_DEFAULT_NETWORK_XML, default
 *     /usr/share/libvirt/networks/default.xml)
 * @param hostRoot where the host's / is seen, for the KVM checks' files (/proc/cpuinfo, /dev/kvm,
 *     /etc/group, /sys): / on the host, /host in the DaemonSet (KVMOP_HOST_ROOT, default /)
 * @param qemuUser the user libvirt runs QEMU as (KVMOP_QEMU_USER, default libvirt-qemu)
 * @param storagePoolName kvmop's libvirt directory pool (KVMOP_STORAGE_POOL_NAME, default kvmop)
 * @param storagePoolPath its directory, where machines' volumes, cloud-init seeds and downloaded
 *     images live; the agent must see it at the same path (KVMOP_STORAGE_POOL_PATH, default
 *     /var/lib/kvmop/images)
 * @param imageCacheUnused how long a downloaded image stays once no volume uses it
 *     (KVMOP_IMAGE_CACHE_UNUSED_SECONDS, default 86400)
 * @param httpPort port of /metrics, /healthz and /readyz (KVMOP_HTTP_PORT, default 9477; 0 picks a
 *     free port, -1 turns them off)
 * @param leaseNamespace where the node's agent Lease lives (KVMOP_LEASE_NAMESPACE)
 * @param agentId this agent's holder identity in that Lease (KVMOP_AGENT_ID)
 * @param migrationUri this node's libvirtd as other nodes' libvirtd reach it for migrations
 *     (KVMOP_MIGRATION_URI; empty: none accepted here)
 * @param migrationAddress where migration streams come to on this node (KVMOP_MIGRATION_ADDRESS;
 *     empty: libvirt's choice)
 * @param overlayAddress this node's address for spanning networks' tunnels (KVMOP_OVERLAY_ADDRESS;
 *     empty: spanning networks are not realised here)
 */
public record OperatorConfig(
    String nodeName,
    String libvirtUri,
    Duration autostartCheck,
    Duration blockedRecheck,
    String serialLogDir,
    String leaseDir,
    Duration hostRecheck,
    boolean repairDefaultNetwork,
    String defaultNetworkXml,
    String hostRoot,
    String qemuUser,
    String storagePoolName,
    String storagePoolPath,
    Duration imageCacheUnused,
    int httpPort,
    String leaseNamespace,
    String agentId,
    String migrationUri,
    String migrationAddress,
    String overlayAddress) {

  /** From the environment alone (and the defaults), as the DaemonSet configures the agent. */
  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    return AgentOptions.parse(new String[0], env).toConfig();
  }

  /** Flags, then environment variables, then defaults. */
  public static OperatorConfig fromCommandLine(String[] args, Map<String, String> env) {
    return AgentOptions.parse(args, env).toConfig();
  }

  static OperatorConfig of(AgentOptions o) {
    String node = o.nodeName == null || o.nodeName.isBlank() ? hostname() : o.nodeName;
    Map<String, String> v =
        Map.of(
            "KVMOP_AUTOSTART_CHECK_SECONDS", o.autostartCheckSeconds,
            "KVMOP_BLOCKED_RECHECK_SECONDS", o.blockedRecheckSeconds,
            "KVMOP_HOST_RECHECK_SECONDS", o.hostRecheckSeconds,
            "KVMOP_IMAGE_CACHE_UNUSED_SECONDS", o.imageCacheUnusedSeconds,
            "KVMOP_HTTP_PORT", o.httpPort);
    return new OperatorConfig(
        node,
        o.libvirtUri,
        seconds(v, "KVMOP_AUTOSTART_CHECK_SECONDS", null),
        seconds(v, "KVMOP_BLOCKED_RECHECK_SECONDS", null),
        o.serialLogDir,
        o.dnsmasqDir,
        seconds(v, "KVMOP_HOST_RECHECK_SECONDS", null),
        Boolean.parseBoolean(o.repairDefaultNetwork),
        o.defaultNetworkXml,
        o.hostRoot,
        o.qemuUser,
        o.storagePoolName,
        o.storagePoolPath,
        seconds(v, "KVMOP_IMAGE_CACHE_UNUSED_SECONDS", null),
        integer(v, "KVMOP_HTTP_PORT", null),
        o.leaseNamespace == null || o.leaseNamespace.isBlank()
            ? inClusterNamespace()
            : o.leaseNamespace,
        o.agentId == null || o.agentId.isBlank()
            ? hostname() + "-" + ProcessHandle.current().pid()
            : o.agentId,
        MigrationUris.check(o.migrationUri),
        o.migrationAddress.strip(),
        overlay(o.overlayAddress));
  }

  /** An IPv4 address, or empty. */
  private static String overlay(String address) {
    String a = address == null ? "" : address.strip();
    if (!a.isEmpty() && Ipv4.parse(a).isEmpty()) {
      throw new IllegalArgumentException(
          "KVMOP_OVERLAY_ADDRESS='"
              + a
              + "' is not an IPv4 address (the node's own, e.g. 10.0.0.12)");
    }
    return a;
  }

  /** The pod's namespace from its service account, else default (outside a cluster). */
  private static String inClusterNamespace() {
    java.nio.file.Path f =
        java.nio.file.Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");
    try {
      return java.nio.file.Files.isReadable(f)
          ? java.nio.file.Files.readString(f).strip()
          : "default";
    } catch (java.io.IOException e) {
      return "default";
    }
  }

  private static int integer(Map<String, String> env, String key, String dflt) {
    String v = env.getOrDefault(key, dflt);
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + "='" + v + "' is not a whole number", e);
    }
  }

  public StorageConfig storage() {
    return new StorageConfig(
        storagePoolName, storagePoolPath, java.nio.file.Path.of(hostRoot), imageCacheUnused);
  }

  /** A duration in seconds, fractions allowed (0.5). */
  private static Duration seconds(Map<String, String> env, String key, String dflt) {
    String v = env.getOrDefault(key, dflt);
    try {
      return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + "='" + v + "' is not a number of seconds", e);
    }
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("NODE_NAME is not set and the host name is unknown", e);
    }
  }
}
