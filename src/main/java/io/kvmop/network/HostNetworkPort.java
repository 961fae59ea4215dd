package io.kvmop.network;

import java.util.List;

/** The host's own network interfaces: what the address-conflict check looks at. */
public interface HostNetworkPort {

  /** Every interface on the host with its IPv4 addresses, up or down. */
  List<HostInterface> interfaces();

  /** Removes a network link (only ever a stale bridge of kvmop's own derived name). */
  void deleteLink(String name);
}
