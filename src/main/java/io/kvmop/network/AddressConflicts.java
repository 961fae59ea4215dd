package io.kvmop.network;

import io.kvmop.libvirt.NetworkState;
import io.kvmop.libvirt.xml.NetworkXml;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The minikube kvm2 troubleshooting step, automated: before a network starts, does another running
 * libvirt network or a host interface already use its addresses?
 */
public final class AddressConflicts {
  private AddressConflicts() {}

  /**
   * @param ourBridge our own derived bridge name: an interface of that name is a stale leftover of
   *     ours, handled separately, never a conflict
   */
  public static Optional<String> find(
      NetworkXml desired,
      String ourBridge,
      List<NetworkState> otherNetworks,
      List<HostInterface> interfaces) {
    Optional<Ipv4Cidr> mine = cidrOf(desired);
    if (mine.isEmpty()) {
      return Optional.empty();
    }
    Ipv4Cidr cidr = mine.get();
    String wanted = "spec.ipv4.cidr " + cidr.network() + "/" + cidr.prefix();
    Set<String> otherBridges = new HashSet<>();
    otherNetworks.stream()
        .filter(n -> n.active() && n.bridgeName() != null)
        .forEach(n -> otherBridges.add(n.bridgeName()));
    return network(cidr, wanted, otherNetworks)
        .or(() -> address(cidr, wanted, ourBridge, interfaces))
        .or(() -> route(cidr, wanted, ourBridge, otherBridges, interfaces));
  }

  /** Another running libvirt network on an overlapping range. */
  private static Optional<String> network(
      Ipv4Cidr cidr, String wanted, List<NetworkState> otherNetworks) {
    for (NetworkState other : otherNetworks) {
      if (!other.active()) {
        continue;
      }
      Optional<Ipv4Cidr> theirs = cidrOf(other.live() != null ? other.live() : other.config());
      if (theirs.isPresent() && theirs.get().overlaps(cidr)) {
        return Optional.of(
            "libvirt network '"
                + other.name()
                + "'"
                + (other.bridgeName() == null ? "" : " (bridge " + other.bridgeName() + ")")
                + " already uses "
                + theirs.get()
                + ", which overlaps "
                + wanted
                + ": choose a cidr no other network uses, or stop that network");
      }
    }
    return Optional.empty();
  }

  /** A host interface holding an address in the range. */
  private static Optional<String> address(
      Ipv4Cidr cidr, String wanted, String ourBridge, List<HostInterface> interfaces) {
    for (HostInterface nic : interfaces) {
      if (nic.name().equals(ourBridge)) {
        continue;
      }
      for (Ipv4Cidr addr : nic.addresses()) {
        if (addr.overlaps(cidr)) {
          return Optional.of(
              "host interface "
                  + nic.name()
                  + " holds "
                  + addr
                  + ", which overlaps "
                  + wanted
                  + ": choose a cidr no host interface uses, or remove the address (ip addr del "
                  + addr
                  + " dev "
                  + nic.name()
                  + ")");
        }
      }
    }
    return Optional.empty();
  }

  /** A network the node routes through another interface (a VPN, a cluster network). */
  private static Optional<String> route(
      Ipv4Cidr cidr,
      String wanted,
      String ourBridge,
      Set<String> reportedBridges,
      List<HostInterface> interfaces) {
    for (HostInterface nic : interfaces) {
      if (nic.name().equals(ourBridge) || reportedBridges.contains(nic.name())) {
        continue;
      }
      for (Ipv4Cidr route : nic.routes()) {
        boolean connected = nic.addresses().stream().anyMatch(a -> a.overlaps(route));
        if (!connected && route.overlaps(cidr)) {
          return Optional.of(
              "the node routes "
                  + route
                  + " through "
                  + nic.name()
                  + ", which overlaps "
                  + wanted
                  + " (ip route): guests there would cut the node off from that network; choose a"
                  + " cidr the node does not route");
        }
      }
    }
    return Optional.empty();
  }

  static Optional<Ipv4Cidr> cidrOf(NetworkXml xml) {
    if (xml == null || xml.ips() == null) {
      return Optional.empty();
    }
    return xml.ips().stream()
        .filter(ip -> ip.address() != null)
        .map(ip -> Ipv4.parse(ip.address()).flatMap(a -> prefixOf(ip).map(p -> Ipv4Cidr.of(a, p))))
        .flatMap(Optional::stream)
        .findFirst();
  }

  /** The prefix length, from prefix= or (as libvirt's own default network writes it) netmask=. */
  static Optional<Integer> prefixOf(NetworkXml.Ip ip) {
    if (ip.prefix() != null) {
      return Optional.of(ip.prefix());
    }
    return Ipv4.parse(ip.netmask()).map(m -> Long.bitCount(m.value()));
  }
}
