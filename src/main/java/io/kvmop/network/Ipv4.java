package io.kvmop.network;

import java.util.Optional;

/** An IPv4 address as an unsigned 32-bit value, with parsing that never throws. */
public record Ipv4(long value) implements Comparable<Ipv4> {

  public Ipv4 {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("not an IPv4 address value: " + value);
    }
  }

  public static Optional<Ipv4> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String[] parts = text.trim().split("\\.", -1);
    if (parts.length != 4) {
      return Optional.empty();
    }
    long v = 0;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        return Optional.empty();
      }
      int octet = Integer.parseInt(p);
      if (octet > 255 || (p.length() > 1 && p.charAt(0) == '0')) {
        return Optional.empty();
      }
      v = (v << 8) | octet;
    }
    return Optional.of(new Ipv4(v));
  }

  public Ipv4 plus(long n) {
    return new Ipv4(value + n);
  }

  @Override
  public int compareTo(Ipv4 o) {
    return Long.compare(value, o.value);
  }

  @Override
  public String toString() {
    return ((value >> 24) & 0xFF)
        + "."
        + ((value >> 16) & 0xFF)
        + "."
        + ((value >> 8) & 0xFF)
        + "."
        + (value & 0xFF);
  }
}
