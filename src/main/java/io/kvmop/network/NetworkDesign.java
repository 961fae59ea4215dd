package io.kvmop.network;

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
    NetworkXml.Mtu mtu =
        spec.mtu == null || mode == NetworkMode.BRIDGE ? null : new NetworkXml.Mtu(spec.mtu);
    List<NetworkXml.Ip> ips =
        mode == NetworkMode.BRIDGE
            ? null
            : EffectiveIpv4.of(spec.ipv4).map(ip -> List.of(ip(spec, ip))).orElse(null);
    return new NetworkXml(
        naming.libvirtName(),
        meta.getUid(),
        new NetworkXml.Metadata(owner),
        forward,
        bridge,
        mtu,
        mode == NetworkMode.BRIDGE ? null : domain(spec),
        mode == NetworkMode.BRIDGE ? null : dns(spec),
        ips,
        null);
  }

  private static NetworkXml.Ip ip(KvmNetworkSpec spec, EffectiveIpv4 ip) {
    NetworkXml.Dhcp dhcp = null;
    if (ip.dhcp()) {
      List<DhcpHost> hosts = spec.ipv4.dhcp == null ? null : spec.ipv4.dhcp.hosts;
      dhcp =
          new NetworkXml.Dhcp(
              List.of(new NetworkXml.Range(ip.dhcpStart().toString(), ip.dhcpEnd().toString())),
              hosts == null || hosts.isEmpty()
                  ? null
                  : hosts.stream()
                      .map(
                          h ->
                              new NetworkXml.DhcpHost(
                                  h.mac.toLowerCase(java.util.Locale.ROOT), h.ip, h.hostname))
                      .toList());
    }
    return new NetworkXml.Ip(ip.gateway().toString(), ip.cidr().prefix(), dhcp);
  }

  private static NetworkXml.Domain domain(KvmNetworkSpec spec) {
    if (spec.dns == null || spec.dns.domain == null || !spec.dns.isEnabled()) {
      return null;
    }
    return new NetworkXml.Domain(spec.dns.domain, "yes");
  }

  private static NetworkXml.Dns dns(KvmNetworkSpec spec) {
    if (spec.dns == null) {
      return null;
    }
    if (!spec.dns.isEnabled()) {
      return new NetworkXml.Dns("no", null);
    }
    List<DnsHost> hosts = spec.dns.hosts;
    if (hosts == null || hosts.isEmpty()) {
      return null;
    }
    return new NetworkXml.Dns(
        null,
        hosts.stream().map(h -> new NetworkXml.DnsHost(h.ip, List.copyOf(h.hostnames))).toList());
  }
}
