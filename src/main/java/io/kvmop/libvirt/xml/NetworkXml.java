package io.kvmop.libvirt.xml;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlElementWrapper;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlRootElement;
import java.util.List;

/**
 * libvirt's {@code <network>} element, only the parts kvmop writes. Names follow libvirt's network
 * XML format (https://libvirt.org/formatnetwork.html); everything else that libvirt adds when it
 * reads a network back (a generated MAC, connection counts, NAT port ranges) is ignored.
 */
@JacksonXmlRootElement(localName = "network")
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"name", "uuid", "metadata", "forward", "bridge", "mtu", "domain", "dns", "ip"})
public record NetworkXml(
    String name,
    String uuid,
    Metadata metadata,
    Forward forward,
    Bridge bridge,
    Mac mac,
    Mtu mtu,
    Domain domain,
    Dns dns,
    @JacksonXmlElementWrapper(useWrapping = false) @JacksonXmlProperty(localName = "ip")
        List<Ip> ips,
    @JacksonXmlProperty(isAttribute = true) Integer connections) {

  /** Without a bridge MAC of kvmop's choosing (libvirt then picks one). */
  public NetworkXml(
      String name,
      String uuid,
      Metadata metadata,
      Forward forward,
      Bridge bridge,
      Mtu mtu,
      Domain domain,
      Dns dns,
      List<Ip> ips,
      Integer connections) {
    this(name, uuid, metadata, forward, bridge, null, mtu, domain, dns, ips, connections);
  }

  /** The same network without its bridge MAC (compared on its own: see {@link #sameMac}). */
  public NetworkXml withoutMac() {
    return new NetworkXml(
        name, uuid, metadata, forward, bridge, null, mtu, domain, dns, ips, connections);
  }

  /** The bridge's MAC address: {@code <mac address='...'/>}. */
  public record Mac(@JacksonXmlProperty(isAttribute = true) String address) {}

  /**
   * Whether the bridge MAC kvmop declares (if any) is the one {@code observed} has: libvirt picks a
   * MAC of its own when none is declared, and that one is never a difference.
   */
  public static boolean sameMac(NetworkXml observed, NetworkXml desired) {
    return desired.mac == null
        || (observed.mac != null
            && desired.mac.address.equalsIgnoreCase(String.valueOf(observed.mac.address)));
  }

  /** The namespace of kvmop's ownership mark inside {@code <metadata>}. */
  public static final String KVMOP_NS = "https://kvmop.io/xmlns/network/v1alpha1";

  /**
   * The same network without what only libvirt's live view carries, and with empty parts (an empty
   * {@code <dns/>}, no reservations) written one way, so that comparisons mean something.
   */
  public NetworkXml withoutRuntimeState() {
    return new NetworkXml(
        name,
        uuid,
        metadata,
        forward,
        bridge,
        mac,
        mtu,
        domain,
        dns == null ? null : dns.normalized(),
        ips == null ? null : ips.stream().map(Ip::normalized).toList(),
        null);
  }

  /** The same network with no DHCP reservations and no DNS host records. */
  public NetworkXml withoutHostRecords() {
    NetworkXml n = withoutRuntimeState();
    return new NetworkXml(
        n.name,
        n.uuid,
        n.metadata,
        n.forward,
        n.bridge,
        null,
        n.mtu,
        n.domain,
        n.dns == null ? null : new Dns(n.dns.enable, null).normalized(),
        n.ips == null
            ? null
            : n.ips.stream()
                .map(
                    ip ->
                        new Ip(
                            ip.address,
                            ip.prefix,
                            ip.netmask,
                            ip.dhcp == null || new Dhcp(ip.dhcp.ranges, null).empty()
                                ? null
                                : new Dhcp(ip.dhcp.ranges, null).normalized()))
                .toList(),
        null);
  }

  /** DHCP reservations of the first {@code <ip>} (the only one kvmop writes). */
  public List<DhcpHost> dhcpHosts() {
    if (ips == null || ips.isEmpty() || ips.get(0).dhcp == null || ips.get(0).dhcp.hosts == null) {
      return List.of();
    }
    return ips.get(0).dhcp.hosts;
  }

  public List<DnsHost> dnsHosts() {
    return dns == null || dns.hosts == null ? List.of() : dns.hosts;
  }

  public record Metadata(
      @JacksonXmlProperty(localName = "network", namespace = KVMOP_NS) Owner owner) {}

  /** kvmop's mark: which resource a libvirt network belongs to. */
  public record Owner(
      @JacksonXmlProperty(isAttribute = true) String namespace,
      @JacksonXmlProperty(isAttribute = true) String name,
      @JacksonXmlProperty(isAttribute = true) String uid) {}

  public record Forward(@JacksonXmlProperty(isAttribute = true) String mode) {}

  public record Bridge(
      @JacksonXmlProperty(isAttribute = true) String name,
      @JacksonXmlProperty(isAttribute = true) String stp,
      @JacksonXmlProperty(isAttribute = true) String delay) {}

  public record Mtu(@JacksonXmlProperty(isAttribute = true) Integer size) {}

  public record Domain(
      @JacksonXmlProperty(isAttribute = true) String name,
      @JacksonXmlProperty(isAttribute = true) String localOnly) {}

  public record Dns(
      @JacksonXmlProperty(isAttribute = true) String enable,
      @JacksonXmlElementWrapper(useWrapping = false) @JacksonXmlProperty(localName = "host")
          List<DnsHost> hosts) {
    Dns normalized() {
      List<DnsHost> h = hosts == null || hosts.isEmpty() ? null : hosts;
      return enable == null && h == null ? null : new Dns(enable, h);
    }
  }

  @JacksonXmlRootElement(localName = "host")
  public record DnsHost(
      @JacksonXmlProperty(isAttribute = true) String ip,
      @JacksonXmlElementWrapper(useWrapping = false) @JacksonXmlProperty(localName = "hostname")
          List<String> hostnames) {}

  @JsonPropertyOrder({"address", "prefix", "netmask", "dhcp"})
  public record Ip(
      @JacksonXmlProperty(isAttribute = true) String address,
      @JacksonXmlProperty(isAttribute = true) Integer prefix,
      @JacksonXmlProperty(isAttribute = true) String netmask,
      Dhcp dhcp) {
    /** kvmop writes prefixes; libvirt's own default network uses a netmask. */
    public Ip(String address, Integer prefix, Dhcp dhcp) {
      this(address, prefix, null, dhcp);
    }

    Ip normalized() {
      Dhcp d = dhcp == null ? null : dhcp.normalized();
      // a <dhcp/> with neither ranges nor reservations is no DHCP at all (libvirt drops it)
      return new Ip(address, prefix, netmask, d == null || d.empty() ? null : d);
    }
  }

  public record Dhcp(
      @JacksonXmlElementWrapper(useWrapping = false) @JacksonXmlProperty(localName = "range")
          List<Range> ranges,
      @JacksonXmlElementWrapper(useWrapping = false) @JacksonXmlProperty(localName = "host")
          List<DhcpHost> hosts) {
    Dhcp normalized() {
      return new Dhcp(
          ranges == null || ranges.isEmpty() ? null : ranges,
          hosts == null || hosts.isEmpty() ? null : hosts);
    }

    boolean empty() {
      return (ranges == null || ranges.isEmpty()) && (hosts == null || hosts.isEmpty());
    }
  }

  public record Range(
      @JacksonXmlProperty(isAttribute = true) String start,
      @JacksonXmlProperty(isAttribute = true) String end) {}

  @JacksonXmlRootElement(localName = "host")
  public record DhcpHost(
      @JacksonXmlProperty(isAttribute = true) String mac,
      @JacksonXmlProperty(isAttribute = true) String ip,
      @JacksonXmlProperty(isAttribute = true) String name) {}
}
