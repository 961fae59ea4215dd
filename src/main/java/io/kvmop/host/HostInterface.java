package io.kvmop.host;

import io.kvmop.network.Ipv4Cidr;
import java.util.List;

/** A host network interface and its IPv4 addresses, each with its prefix. */
public record HostInterface(String name, List<Ipv4Cidr> addresses) {}
