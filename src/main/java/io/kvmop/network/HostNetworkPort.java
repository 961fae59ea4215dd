package io.kvmop.network;

import java.util.List;

/** The host's own network interfaces: what the address-conflict check looks at. */
public interface HostNetworkPort {

  /** Every interface on the host with its IPv4 addresses, up or down. */
  List<HostInterface> interfaces();

  /** Removes a network link (only ever a stale bridge of kvmop's own derived name). */
  void deleteLink(String name);

  /**
   * Makes a spanning network's tunnel as declared: the VXLAN device, attached to the bridge and up,
   * flooding to exactly the given peers. Throws with what failed.
   */
  void ensureTunnel(Tunnel tunnel);

  /** Whether the tunnel is exactly as declared now. */
  boolean tunnelUp(Tunnel tunnel);

  /** Removes a spanning network's tunnel device, if there is one. */
  void removeTunnel(String device);
}
