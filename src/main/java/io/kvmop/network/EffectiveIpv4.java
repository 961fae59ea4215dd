package io.kvmop.network;

import io.kvmop.api.DhcpSpec;
import io.kvmop.api.Ipv4Spec;
import java.util.Optional;

/**
 * A network's IPv4 settings with the documented defaults filled in: gateway = first usable address,
 * DHCP range = gateway+1 .. last usable. Only built from a spec that parses.
 */
public record EffectiveIpv4(
    Ipv4Cidr cidr, Ipv4 gateway, boolean dhcp, Ipv4 dhcpStart, Ipv4 dhcpEnd) {

  /** Empty when the cidr or an address does not parse; the validator reports which. */
  public static Optional<EffectiveIpv4> of(Ipv4Spec spec) {
    if (spec == null) {
      return Optional.empty();
    }
    Optional<Ipv4Cidr> cidr = Ipv4Cidr.parse(spec.cidr);
    if (cidr.isEmpty()) {
      return Optional.empty();
    }
    Ipv4Cidr c = cidr.get();
    Optional<Ipv4> gateway =
        spec.gateway == null ? Optional.of(c.firstUsable()) : Ipv4.parse(spec.gateway);
    if (gateway.isEmpty()) {
      return Optional.empty();
    }
    DhcpSpec d = spec.dhcp;
    boolean enabled = d == null || d.isEnabled();
    Optional<Ipv4> start =
        d == null || d.start == null
            ? Optional.of(gateway.get().plus(gateway.get().value() < 0xFFFF_FFFFL ? 1 : 0))
            : Ipv4.parse(d.start);
    Optional<Ipv4> end =
        d == null || d.end == null ? Optional.of(c.lastUsable()) : Ipv4.parse(d.end);
    if (start.isEmpty() || end.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new EffectiveIpv4(c, gateway.get(), enabled, start.get(), end.get()));
  }
}
