package io.kvmop.network;

import java.util.Optional;

/** An IPv4 prefix: a base address and a prefix length; the base may have host bits set. */
public record Ipv4Cidr(Ipv4 address, int prefix) {

  public static Optional<Ipv4Cidr> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      return Optional.empty();
    }
    String len = text.substring(slash + 1);
    if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(Character::isDigit)) {
      return Optional.empty();
    }
    int p = Integer.parseInt(len);
    if (p > 32) {
      return Optional.empty();
    }
    return Ipv4.parse(text.substring(0, slash)).map(a -> new Ipv4Cidr(a, p));
  }

  public static Ipv4Cidr of(Ipv4 address, int prefix) {
    return new Ipv4Cidr(address, prefix);
  }

  private long mask() {
    return prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
  }

  public Ipv4 network() {
    return new Ipv4(address.value() & mask());
  }

  public Ipv4 broadcast() {
    return new Ipv4(network().value() | (~mask() & 0xFFFF_FFFFL));
  }

  /** True when host bits are set, e.g. 192.168.1.5/24. */
  public boolean hasHostBits() {
    return address.value() != network().value();
  }

  /** First address usable by a host (the network address + 1 for prefixes up to /30). */
  public Ipv4 firstUsable() {
    return prefix >= 31 ? network() : network().plus(1);
  }

  /** Last address usable by a host (the broadcast address - 1 for prefixes up to /30). */
  public Ipv4 lastUsable() {
    return prefix >= 31 ? broadcast() : new Ipv4(broadcast().value() - 1);
  }

  public boolean contains(Ipv4 ip) {
    return ip.value() >= network().value() && ip.value() <= broadcast().value();
  }

  public boolean overlaps(Ipv4Cidr other) {
    return network().value() <= other.broadcast().value()
        && other.network().value() <= broadcast().value();
  }

  @Override
  public String toString() {
    return address + "/" + prefix;
  }
}
