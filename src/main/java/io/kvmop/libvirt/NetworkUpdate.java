package io.kvmop.libvirt;

import io.kvmop.libvirt.xml.NetworkXml;

/**
 * A change libvirt can make to a running network without restarting it (virNetworkUpdate): DHCP
 * reservations and DNS host records. The element is one of {@link NetworkXml.DhcpHost} or {@link
 * NetworkXml.DnsHost}, written by the XML codec.
 */
public record NetworkUpdate(Command command, Object element) {
  /** virNetworkUpdateCommand values. */
  public enum Command {
    DELETE(2),
    ADD_LAST(3);

    public final int value;

    Command(int value) {
      this.value = value;
    }
  }

  /** virNetworkUpdateSection of the element. */
  public int section() {
    if (element instanceof NetworkXml.DhcpHost) {
      return 4; // VIR_NETWORK_SECTION_IP_DHCP_HOST
    }
    if (element instanceof NetworkXml.DnsHost) {
      return 10; // VIR_NETWORK_SECTION_DNS_HOST
    }
    throw new IllegalArgumentException("no live update for " + element);
  }

  public static NetworkUpdate add(Object element) {
    return new NetworkUpdate(Command.ADD_LAST, element);
  }

  public static NetworkUpdate delete(Object element) {
    return new NetworkUpdate(Command.DELETE, element);
  }
}
