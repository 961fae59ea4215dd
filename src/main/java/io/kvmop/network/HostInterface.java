package io.kvmop.network;

import java.util.List;

/**
 * A host network interface, its IPv4 addresses (each with its prefix), and the networks the host
 * routes through it (other than the default route and its own connected subnets).
 */
public record HostInterface(String name, List<Ipv4Cidr> addresses, List<Ipv4Cidr> routes) {
  public HostInterface(String name, List<Ipv4Cidr> addresses) {
    this(name, addresses, List.of());
  }
}
