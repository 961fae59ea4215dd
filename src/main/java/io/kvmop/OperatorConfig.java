package io.kvmop;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the agent is told, read once at start.
 *
 * @param nodeName the node this agent acts for (NODE_NAME, from the downward API)
 * @param libvirtUri the node's libvirt (KVMOP_LIBVIRT_URI, default qemu:///system)
 * @param useServerSideApply patch status and finalizers with server-side apply (KVMOP_USE_SSA,
 *     default true; the Fabric8 mock API server needs false)
 * @param autostartCheck how often the autostart flag of owned networks is read, since libvirt
 *     raises no event for it (KVMOP_AUTOSTART_CHECK_SECONDS, default 5)
 * @param blockedRecheck how soon a network blocked by something outside libvirt's events (an
 *     address held by a host interface, libvirtd unreachable) is looked at again
 *     (KVMOP_BLOCKED_RECHECK_SECONDS, default 15)
 */
public record OperatorConfig(
    String nodeName,
    String libvirtUri,
    boolean useServerSideApply,
    Duration autostartCheck,
    Duration blockedRecheck) {

  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    String node = env.getOrDefault("NODE_NAME", "");
    if (node.isBlank()) {
      node = hostname();
    }
    return new OperatorConfig(
        node,
        env.getOrDefault("KVMOP_LIBVIRT_URI", "qemu:///system"),
        Boolean.parseBoolean(env.getOrDefault("KVMOP_USE_SSA", "true")),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("KVMOP_AUTOSTART_CHECK_SECONDS", "5"))),
        Duration.ofSeconds(
            Long.parseLong(env.getOrDefault("KVMOP_BLOCKED_RECHECK_SECONDS", "15"))));
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("NODE_NAME is not set and the host name is unknown", e);
    }
  }
}
