package io.kvmop.network;

import io.kvmop.api.DhcpHost;
import io.kvmop.api.DnsHost;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkSpec;
import io.kvmop.api.NetworkMode;
import io.kvmop.validation.SpecText;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a KvmNetwork spec and returns every problem as a message naming the field and what would
 * be valid. The CRD schema checks most of this on a real API server; the operator checks again
 * because the schema is not always there (the mock API, standalone mode) and some rules need
 * arithmetic CEL cannot express.
 */
public final class NetworkValidator {
  private static final Pattern MAC = Pattern.compile("^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$");
  private static final Pattern BRIDGE = Pattern.compile("^[A-Za-z0-9_.:-]{1,15}$");

  private NetworkValidator() {}

  /** Address space no KvmNetwork may take: it means something else to every host. */
  private static final String[][] RESERVED = {
    {"0.0.0.0/8", "this network"},
    {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link-local, where cloud metadata services answer"},
    {"224.0.0.0/4", "multicast"},
    {"240.0.0.0/4", "reserved, with the broadcast address"},
  };

  /** A host bridge the node's admin has not listed in its KvmHost spec.permittedBridges. */
  public static Optional<String> bridgeNotPermitted(
      KvmNetworkSpec spec, String node, List<String> permitted) {
    if (spec == null
        || spec.modeOrDefault() != NetworkMode.BRIDGE
        || spec.bridge == null
        || permitted.contains(spec.bridge.name)) {
      return Optional.empty();
    }
    return Optional.of(
        "spec.bridge.name "
            + spec.bridge.name
            + " is not a host bridge networks may use on node "
            + node
            + ": the node's admin lists those in KvmHost "
            + node
            + " spec.permittedBridges"
            + (permitted.isEmpty()
                ? " (empty now)"
                : " (now: " + String.join(", ", permitted) + ")"));
  }

  /** spec.span: one L2 over the nodes needs addresses kvmop gives out, from a DHCP range. */
  static List<String> spanProblems(KvmNetworkSpec spec, NetworkMode mode) {
    List<String> out = new ArrayList<>();
    if (mode == NetworkMode.BRIDGE) {
      out.add(
          "spec.span is not allowed with mode bridge: a host bridge is the nodes' own network;"
              + " use mode isolated, nat, route or open");
    }
    if (spec.span.vni != null && (spec.span.vni < 1 || spec.span.vni > 16777215)) {
      out.add("spec.span.vni " + spec.span.vni + " must be 1-16777215");
    }
    if (spec.span.port != null && (spec.span.port < 1 || spec.span.port > 65535)) {
      out.add("spec.span.port " + spec.span.port + " must be 1-65535");
    }
    if (mode != NetworkMode.BRIDGE
        && (spec.ipv4 == null || (spec.ipv4.dhcp != null && !spec.ipv4.dhcp.isEnabled()))) {
      out.add(
          "spec.span needs spec.ipv4 with DHCP: the machines' addresses, the same on every node,"
              + " come from its DHCP range");
    }
    return out;
  }

  public static List<String> validate(KvmNetworkSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      problems.add("spec is missing");
      return problems;
    }
    problems.addAll(SpecText.problems("spec", spec, java.util.Set.of()));
    if (!problems.isEmpty()) {
      return problems; // the rules below quote these fields
    }
    NetworkMode mode = spec.modeOrDefault();
    if (mode == NetworkMode.BRIDGE) {
      if (spec.bridge == null || spec.bridge.name == null) {
        problems.add("spec.bridge.name is required with mode bridge: name an existing host bridge");
      } else if (!BRIDGE.matcher(spec.bridge.name).matches()) {
        problems.add(
            "spec.bridge.name '"
                + spec.bridge.name
                + "' is not a valid Linux interface name (1-15 of letters, digits, _ . : -)");
      }
      if (spec.ipv4 != null) {
        problems.add(
            "spec.ipv4 must be absent with mode bridge: guests get addresses from the host"
                + " bridge's own network");
      }
    } else if (spec.bridge != null) {
      problems.add(
          "spec.bridge is allowed only with mode bridge (mode is " + mode.wireName() + ")");
    }
    if (spec.span != null) {
      problems.addAll(spanProblems(spec, mode));
    }
    if ((mode == NetworkMode.NAT || mode == NetworkMode.ROUTE) && spec.ipv4 == null) {
      problems.add("spec.ipv4 is required with mode " + mode.wireName());
    }
    if (spec.mtu != null && (spec.mtu < 68 || spec.mtu > 65535)) {
      problems.add("spec.mtu " + spec.mtu + " is out of range: use 68..65535");
    }
    if (spec.ipv4 != null && mode != NetworkMode.BRIDGE) {
      validateIpv4(spec, problems);
    }
    if (spec.dns != null && spec.dns.hosts != null) {
      for (int i = 0; i < spec.dns.hosts.size(); i++) {
        DnsHost h = spec.dns.hosts.get(i);
        if (Ipv4.parse(h.ip).isEmpty()) {
          problems.add("spec.dns.hosts[" + i + "].ip '" + h.ip + "' is not an IPv4 address");
        }
        if (h.hostnames == null || h.hostnames.isEmpty()) {
          problems.add("spec.dns.hosts[" + i + "].hostnames needs at least one name");
        }
      }
    }
    return problems;
  }

  private static void validateIpv4(KvmNetworkSpec spec, List<String> problems) {
    Optional<Ipv4Cidr> parsed = Ipv4Cidr.parse(spec.ipv4.cidr);
    if (parsed.isEmpty()) {
      problems.add(
          "spec.ipv4.cidr '"
              + spec.ipv4.cidr
              + "' is not IPv4 CIDR notation such as 192.168.39.0/24");
      return;
    }
    Ipv4Cidr cidr = parsed.get();
    if (!cidrProblems(cidr, problems) || !gatewayProblems(spec, cidr, problems)) {
      return;
    }
    var dhcp = spec.ipv4.dhcp;
    if (dhcp != null && dhcp.start != null && Ipv4.parse(dhcp.start).isEmpty()) {
      problems.add("spec.ipv4.dhcp.start '" + dhcp.start + "' is not an IPv4 address");
      return;
    }
    if (dhcp != null && dhcp.end != null && Ipv4.parse(dhcp.end).isEmpty()) {
      problems.add("spec.ipv4.dhcp.end '" + dhcp.end + "' is not an IPv4 address");
      return;
    }
    EffectiveIpv4 ip = EffectiveIpv4.of(spec.ipv4).orElseThrow();
    if (ip.dhcp()) {
      validateDhcpRange(
          cidr, ip, dhcp == null || (dhcp.start == null && dhcp.end == null), problems);
    }
    if (dhcp != null && dhcp.hosts != null) {
      validateReservations(cidr, ip, dhcp.hosts, problems);
    }
  }

  /** Reserved space, host bits, size; false when the rest cannot be checked against it. */
  private static boolean cidrProblems(Ipv4Cidr cidr, List<String> problems) {
    for (String[] r : RESERVED) {
      Ipv4Cidr reserved = Ipv4Cidr.parse(r[0]).orElseThrow();
      if (reserved.overlaps(cidr)) {
        problems.add(
            "spec.ipv4.cidr "
                + cidr
                + " overlaps "
                + r[0]
                + " ("
                + r[1]
                + "), which a private network must not use: choose one in 10.0.0.0/8,"
                + " 172.16.0.0/12 or 192.168.0.0/16");
        return false;
      }
    }
    if (cidr.hasHostBits()) {
      problems.add(
          "spec.ipv4.cidr "
              + cidr
              + " has host bits set: write "
              + cidr.network()
              + "/"
              + cidr.prefix());
    }
    if (cidr.prefix() > 30) {
      problems.add(
          "spec.ipv4.cidr "
              + cidr
              + " is too small: a network needs a gateway and at least one guest address, use"
              + " /30 or a shorter prefix");
      return false;
    }
    return true;
  }

  /** A declared gateway: an address, and a usable one of the cidr; false when it is not. */
  private static boolean gatewayProblems(
      KvmNetworkSpec spec, Ipv4Cidr cidr, List<String> problems) {
    if (spec.ipv4.gateway == null) {
      return true;
    }
    Optional<Ipv4> gw = Ipv4.parse(spec.ipv4.gateway);
    if (gw.isEmpty()) {
      problems.add("spec.ipv4.gateway '" + spec.ipv4.gateway + "' is not an IPv4 address");
      return false;
    }
    if (!usable(cidr, gw.get())) {
      problems.add(
          "spec.ipv4.gateway "
              + gw.get()
              + " must be a usable address of "
              + cidr
              + " ("
              + cidr.firstUsable()
              + " .. "
              + cidr.lastUsable()
              + ")");
      return false;
    }
    return true;
  }

  private static void validateDhcpRange(
      Ipv4Cidr cidr, EffectiveIpv4 ip, boolean defaulted, List<String> problems) {
    String range = ip.dhcpStart() + " .. " + ip.dhcpEnd();
    if (ip.dhcpStart().compareTo(ip.dhcpEnd()) > 0) {
      problems.add(
          "spec.ipv4.dhcp range "
              + range
              + " is empty: "
              + (defaulted
                  ? cidr
                      + " is too small for a DHCP range after gateway "
                      + ip.gateway()
                      + "; use a larger cidr or set spec.ipv4.dhcp.start/end"
                  : "spec.ipv4.dhcp.start must not come after spec.ipv4.dhcp.end"));
    } else if (!usable(cidr, ip.dhcpStart()) || !usable(cidr, ip.dhcpEnd())) {
      problems.add(
          "spec.ipv4.dhcp range "
              + range
              + " must lie within the usable addresses of "
              + cidr
              + " ("
              + cidr.firstUsable()
              + " .. "
              + cidr.lastUsable()
              + ")");
    } else if (ip.gateway().compareTo(ip.dhcpStart()) >= 0
        && ip.gateway().compareTo(ip.dhcpEnd()) <= 0) {
      problems.add(
          "spec.ipv4.dhcp range "
              + range
              + " contains the gateway "
              + ip.gateway()
              + ": exclude it");
    }
  }

  private static void validateReservations(
      Ipv4Cidr cidr, EffectiveIpv4 ip, List<DhcpHost> hosts, List<String> problems) {
    Set<String> macs = new HashSet<>();
    Set<String> ips = new HashSet<>();
    for (int i = 0; i < hosts.size(); i++) {
      DhcpHost h = hosts.get(i);
      String field = "spec.ipv4.dhcp.hosts[" + i + "]";
      if (h.mac == null || !MAC.matcher(h.mac).matches()) {
        problems.add(field + ".mac '" + h.mac + "' is not a MAC address like 52:54:00:00:00:10");
      } else if (!macs.add(h.mac.toLowerCase(Locale.ROOT))) {
        problems.add(field + ".mac " + h.mac + " is reserved twice");
      }
      Optional<Ipv4> addr = Ipv4.parse(h.ip);
      if (addr.isEmpty()) {
        problems.add(field + ".ip '" + h.ip + "' is not an IPv4 address");
      } else if (!usable(cidr, addr.get()) || addr.get().equals(ip.gateway())) {
        problems.add(
            field
                + ".ip "
                + h.ip
                + " must be a usable address of "
                + cidr
                + " other than the gateway");
      } else if (!ips.add(h.ip)) {
        problems.add(field + ".ip " + h.ip + " is reserved twice");
      }
    }
  }

  private static boolean usable(Ipv4Cidr cidr, Ipv4 ip) {
    return ip.compareTo(cidr.firstUsable()) >= 0 && ip.compareTo(cidr.lastUsable()) <= 0;
  }

  /**
   * Another KvmNetwork realised on the same node whose cidr overlaps this one's. The older one
   * (creation time, then namespace/name) keeps its range; the newer one is refused.
   */
  public static Optional<String> overlap(KvmNetwork self, List<KvmNetwork> othersOnNode) {
    Optional<Ipv4Cidr> mine = cidrOf(self);
    if (mine.isEmpty()) {
      return Optional.empty();
    }
    return othersOnNode.stream()
        .filter(o -> !o.getMetadata().getUid().equals(self.getMetadata().getUid()))
        .filter(o -> o.getMetadata().getDeletionTimestamp() == null)
        .filter(o -> olderThan(o, self))
        .filter(o -> cidrOf(o).map(c -> c.overlaps(mine.get())).orElse(false))
        .findFirst()
        .map(
            o ->
                "spec.ipv4.cidr "
                    + mine.get()
                    + " overlaps KvmNetwork "
                    + o.getMetadata().getNamespace()
                    + "/"
                    + o.getMetadata().getName()
                    + " ("
                    + o.getSpec().ipv4.cidr
                    + ") on the same node; choose a cidr that no other network uses");
  }

  /**
   * A spanning network whose VNI and port another (older) spanning network already has: the two
   * would be one L2, so the younger is refused (the VNI is a spec field a tenant may choose).
   */
  public static Optional<String> vniTaken(KvmNetwork self, List<KvmNetwork> others) {
    if (self.getSpec() == null || !self.getSpec().spans()) {
      return Optional.empty();
    }
    int vni = Span.vni(self);
    int port = self.getSpec().span.portOrDefault();
    return others.stream()
        .filter(o -> !o.getMetadata().getUid().equals(self.getMetadata().getUid()))
        .filter(o -> o.getMetadata().getDeletionTimestamp() == null)
        .filter(o -> o.getSpec() != null && o.getSpec().spans())
        .filter(o -> olderThan(o, self))
        .filter(o -> Span.vni(o) == vni && o.getSpec().span.portOrDefault() == port)
        .findFirst()
        .map(
            o ->
                "spec.span.vni "
                    + vni
                    + " (port "
                    + port
                    + ") is KvmNetwork "
                    + o.getMetadata().getNamespace()
                    + "/"
                    + o.getMetadata().getName()
                    + "'s: the two would be one L2; choose another vni, or leave it out for one"
                    + " derived from this network");
  }

  private static Optional<Ipv4Cidr> cidrOf(KvmNetwork n) {
    if (n.getSpec() == null
        || n.getSpec().ipv4 == null
        || n.getSpec().modeOrDefault() == NetworkMode.BRIDGE) {
      return Optional.empty();
    }
    return Ipv4Cidr.parse(n.getSpec().ipv4.cidr);
  }

  static boolean olderThan(KvmNetwork a, KvmNetwork b) {
    String ta = a.getMetadata().getCreationTimestamp();
    String tb = b.getMetadata().getCreationTimestamp();
    int byTime =
        ta == null || tb == null
            ? 0
            : java.time.Instant.parse(ta).compareTo(java.time.Instant.parse(tb));
    if (byTime != 0) {
      return byTime < 0;
    }
    String ka = a.getMetadata().getNamespace() + "/" + a.getMetadata().getName();
    String kb = b.getMetadata().getNamespace() + "/" + b.getMetadata().getName();
    return ka.compareTo(kb) < 0;
  }
}
