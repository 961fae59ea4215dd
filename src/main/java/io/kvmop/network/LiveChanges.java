package io.kvmop.network;

import io.kvmop.libvirt.NetworkUpdate;
import io.kvmop.libvirt.xml.NetworkXml;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What can reach a running network without a restart: DHCP reservations and DNS host records, which
 * libvirt updates in place. Anything else needs the network restarted.
 */
final class LiveChanges {
  private LiveChanges() {}

  /** The in-place updates from {@code live} to {@code desired}, or empty if a restart is needed. */
  static Optional<List<NetworkUpdate>> between(NetworkXml live, NetworkXml desired) {
    if (!Objects.equals(live.withoutHostRecords(), desired.withoutHostRecords())
        || !NetworkXml.sameMac(live, desired)) {
      return Optional.empty();
    }
    List<NetworkUpdate> updates = new ArrayList<>();
    // deletions first: a reservation that moves to another address is removed, then re-added
    diff(live.dhcpHosts(), desired.dhcpHosts(), updates);
    diff(live.dnsHosts(), desired.dnsHosts(), updates);
    updates.sort((a, b) -> a.command().compareTo(b.command()));
    return Optional.of(updates);
  }

  private static <T> void diff(List<T> live, List<T> desired, List<NetworkUpdate> out) {
    live.stream().filter(h -> !desired.contains(h)).map(NetworkUpdate::delete).forEach(out::add);
    desired.stream().filter(h -> !live.contains(h)).map(NetworkUpdate::add).forEach(out::add);
  }

  static String describe(List<NetworkUpdate> updates) {
    long dhcp = updates.stream().filter(u -> u.element() instanceof NetworkXml.DhcpHost).count();
    long dns = updates.size() - dhcp;
    List<String> parts = new ArrayList<>();
    if (dhcp > 0) {
      parts.add("DHCP reservations");
    }
    if (dns > 0) {
      parts.add("DNS host records");
    }
    return String.join(" and ", parts);
  }
}
