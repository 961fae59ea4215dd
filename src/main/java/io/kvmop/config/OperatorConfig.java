package io.kvmop.config;

import io.kvmop.disk.StorageConfig;
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
    return new OperatorConfig(
        o.nodeName.isBlank() ? hostname() : o.nodeName,
        o.libvirtUri,
        o.autostartCheck,
        o.blockedRecheck,
        o.serialLogDir,
        o.dnsmasqDir,
        o.hostRecheck,
        o.repairDefaultNetwork,
        o.defaultNetworkXml,
        o.hostRoot,
        o.qemuUser,
        o.storagePoolName,
        o.storagePoolPath,
        o.imageCacheUnused,
        o.httpPort,
        o.leaseNamespace.isBlank() ? inClusterNamespace() : o.leaseNamespace,
        o.agentId.isBlank() ? hostname() + "-" + ProcessHandle.current().pid() : o.agentId,
        o.migrationUri,
        o.migrationAddress.strip(),
        o.overlayAddress);
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

  public StorageConfig storage() {
    return new StorageConfig(
        storagePoolName, storagePoolPath, java.nio.file.Path.of(hostRoot), imageCacheUnused);
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("NODE_NAME is not set and the host name is unknown", e);
    }
  }
}
