package io.kvmop.libvirt;

/** One DHCP lease as libvirt reports it (virNetworkGetDHCPLeases). */
public record DhcpLease(
    String mac, String ip, int prefix, String hostname, long expiryEpochSeconds) {}
