package io.kvmop.machine;

import io.kvmop.status.Blocker;

/**
 * How one machine interface reaches its network on this node: the libvirt network name, or why it
 * cannot yet (KvmNetwork missing or not ready here).
 */
public record NetworkBinding(
    String interfaceName, String network, String libvirtNetwork, boolean managed, Blocker problem) {

  public static NetworkBinding ready(
      String ifname, String network, String libvirtName, boolean managed) {
    return new NetworkBinding(ifname, network, libvirtName, managed, null);
  }

  public static NetworkBinding notReady(String ifname, String network, Blocker problem) {
    return new NetworkBinding(ifname, network, null, true, problem);
  }
}
