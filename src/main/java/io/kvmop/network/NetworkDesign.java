package io.kvmop.network;

import io.kvmop.api.AddressAllocation;
import io.kvmop.api.DhcpHost;
import io.kvmop.api.DnsHost;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkSpec;
import io.kvmop.api.NetworkMode;
import io.kvmop.libvirt.xml.NetworkXml;
import java.util.List;

/**
 * Turns a valid KvmNetwork into the libvirt network it should be. Pure: the same resource always
 * yields the same XML, which is what drift detection compares against.
 */
public final class NetworkDesign {
  private NetworkDesign() {}

  /** Only for a spec the validator accepted. */
  public static NetworkXml desired(KvmNetwork network, NetworkNaming naming) {
    KvmNetworkSpec spec = network.getSpec();
    NetworkMode mode = spec.modeOrDefault();
    var meta = network.getMetadata();
    var owner = new NetworkXml.Owner(meta.getNamespace(), meta.getName(), meta.getUid());
    NetworkXml.Forward forward =
        mode == NetworkMode.ISOLATED ? null : new NetworkXml.Forward(mode.wireName());
    NetworkXml.Bridge bridge =
        mode == NetworkMode.BRIDGE
            ? new NetworkXml.Bridge(spec.bridge.name, null, null)
            : new NetworkXml.Bridge(naming.bridge(), "on", "0");
    boolean spans = spec.spans() && mode != NetworkMode.BRIDGE;
    Integer mtuSize = spec.mtu != null ? spec.mtu : spans ? Span.DEFAULT_MTU : null;
    NetworkXml.Mtu mtu =
        mtuSize == null || mode == NetworkMode.BRIDGE ? null : new NetworkXml.Mtu(mtuSize);
    List<AddressAllocation> allocated =
        spans && network.getStatus() != null && network.getStatus().addresses != null
            ? network.getStatus().addresses
            : List.of();
    List<NetworkXml.Ip> ips =
        mode == NetworkMode.BRIDGE
            ? null
            : EffectiveIpv4.of(spec.ipv4)
                .map(ip -> List.of(ip(spec, ip, spans, allocated)))
                .orElse(null);
    return new NetworkXml(
        naming.libvirtName(),
        meta.getUid(),
        new NetworkXml.Metadata(owner),
        forward,
        bridge,
        spans ? new NetworkXml.Mac(Span.bridgeMac(network)) : null,
        mtu,
        mode == NetworkMode.BRIDGE ? null : domain(spec),
        mode == NetworkMode.BRIDGE ? null : dns(spec, allocated),
        ips,
        null);
  }

  /**
   * The network's addresses. Spanning nodes, DHCP hands out only each machine's allocation (no
   * range of its own on any node: two nodes' servers would give the same address twice).
   */
  private static NetworkXml.Ip ip(
      KvmNetworkSpec spec, EffectiveIpv4 ip, boolean spans, List<AddressAllocation> allocated) {
    NetworkXml.Dhcp dhcp = null;
    if (ip.dhcp()) {
      List<DhcpHost> declared = spec.ipv4.dhcp == null ? null : spec.ipv4.dhcp.hosts;
      List<NetworkXml.DhcpHost> hosts = new java.util.ArrayList<>();
      if (declared != null) {
        declared.forEach(
            h ->
                hosts.add(
                    new NetworkXml.DhcpHost(
                        h.mac.toLowerCase(java.util.Locale.ROOT), h.ip, h.hostname)));
      }
      allocated.forEach(
          a ->
              hosts.add(
                  new NetworkXml.DhcpHost(
                      a.mac.toLowerCase(java.util.Locale.ROOT), a.ip, a.machine)));
      dhcp =
          new NetworkXml.Dhcp(
              spans
                  ? null
                  : List.of(
                      new NetworkXml.Range(ip.dhcpStart().toString(), ip.dhcpEnd().toString())),
              hosts.isEmpty() ? null : List.copyOf(hosts));
    }
    return new NetworkXml.Ip(ip.gateway().toString(), ip.cidr().prefix(), dhcp);
  }

  private static NetworkXml.Domain domain(KvmNetworkSpec spec) {
    if (spec.dns == null || spec.dns.domain == null || !spec.dns.isEnabled()) {
      return null;
    }
    return new NetworkXml.Domain(spec.dns.domain, "yes");
  }

  /** DNS: the declared records, and with a spanning network one per machine, by its name. */
  private static NetworkXml.Dns dns(KvmNetworkSpec spec, List<AddressAllocation> allocated) {
    if (spec.dns != null && !spec.dns.isEnabled()) {
      return new NetworkXml.Dns("no", null);
    }
    List<NetworkXml.DnsHost> hosts = new java.util.ArrayList<>();
    List<DnsHost> declared = spec.dns == null ? null : spec.dns.hosts;
    if (declared != null) {
      declared.forEach(h -> hosts.add(new NetworkXml.DnsHost(h.ip, List.copyOf(h.hostnames))));
    }
    java.util.Set<String> named = new java.util.HashSet<>();
    for (AddressAllocation a : allocated) {
      if (named.add(a.machine)) { // a machine's first interface on the network answers its name
        hosts.add(new NetworkXml.DnsHost(a.ip, List.of(a.machine)));
      }
    }
    return hosts.isEmpty() ? null : new NetworkXml.Dns(null, List.copyOf(hosts));
  }
}
