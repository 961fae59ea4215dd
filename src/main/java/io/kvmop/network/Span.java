package io.kvmop.network;

import io.kvmop.api.AddressAllocation;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.NodeNetworkStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A KvmNetwork that spans nodes (pure): its tunnel's identity (VNI, device, the gateway MAC every
 * node's bridge shares), its peers, and the addresses of its machines, given out once for the whole
 * network so that no two machines get the same one anywhere.
 */
public final class Span {
  private Span() {}

  /** VXLAN's overhead: a spanning network's default MTU leaves room for it on a 1500 underlay. */
  public static final int DEFAULT_MTU = 1450;

  /**
   * An allocation whose machine this agent does not see is kept this long: another agent's cache
   * may hold a machine this one's has not got yet.
   */
  public static final Duration RELEASE_GRACE = Duration.ofSeconds(60);

  private static String hash(KvmNetwork n) {
    var m = n.getMetadata();
    return NetworkNaming.sha256Hex(m.getNamespace() + "/" + m.getName() + "/" + m.getUid());
  }

  /** spec.span.vni, else 24 bits of the resource's hash (never 0). */
  public static int vni(KvmNetwork n) {
    Integer given = n.getSpec().span.vni;
    if (given != null) {
      return given;
    }
    int v = Integer.parseInt(hash(n).substring(0, 6), 16);
    return v == 0 ? 1 : v;
  }

  /** The VXLAN device: "kvx" and 8 hex digits, within Linux's 15 characters. */
  public static String device(KvmNetwork n) {
    return "kvx" + hash(n).substring(8, 16);
  }

  /**
   * The MAC every node's bridge has (locally administered): each node is the gateway of its own
   * machines, and a bridge drops what reaches it through the tunnel from its own address, so the
   * other nodes' gateway, DHCP and DNS answers never cross.
   */
  public static String bridgeMac(KvmNetwork n) {
    String h = hash(n);
    return "02:6b:76:"
        + h.substring(16, 18)
        + ":"
        + h.substring(18, 20)
        + ":"
        + h.substring(20, 22);
  }

  /** The other nodes' tunnel addresses, as they published them in the network's status. */
  public static List<String> peers(KvmNetwork n, String node) {
    if (n.getStatus() == null || n.getStatus().nodes == null) {
      return List.of();
    }
    return n.getStatus().nodes.stream()
        .filter(e -> !node.equals(e.node))
        .map(e -> e.tunnel == null ? null : e.tunnel.localAddress)
        .filter(a -> a != null && !a.isBlank())
        .distinct()
        .sorted()
        .toList();
  }

  /** The tunnel peers of every node, for telling whether they changed. */
  public static Map<String, String> tunnelAddresses(KvmNetwork n) {
    Map<String, String> out = new LinkedHashMap<>();
    if (n.getStatus() != null && n.getStatus().nodes != null) {
      for (NodeNetworkStatus e : n.getStatus().nodes) {
        out.put(e.node, e.tunnel == null ? null : e.tunnel.localAddress);
      }
    }
    return out;
  }

  /** A machine interface on the network that needs an address. */
  public record Wanted(String machine, String uid, String interfaceName, String mac) {}

  /**
   * The network's allocations after this look: those of interfaces still wanted kept as they are;
   * those whose machine is gone released (after {@link #RELEASE_GRACE}); each new one the first
   * free address of the DHCP range from a point its MAC picks. The same inputs give the same
   * result, so two agents merging at once agree. Empty when the range is full for someone.
   *
   * @param wanted every interface on the network, on any node
   */
  public static List<AddressAllocation> allocate(KvmNetwork n, List<Wanted> wanted, Instant now) {
    List<AddressAllocation> old =
        n.getStatus() == null || n.getStatus().addresses == null
            ? List.of()
            : n.getStatus().addresses;
    Set<String> wantedMacs = new HashSet<>();
    wanted.forEach(w -> wantedMacs.add(key(w.uid(), w.mac())));
    List<AddressAllocation> kept = new ArrayList<>();
    Set<String> taken = new HashSet<>();
    for (AddressAllocation a : old) {
      boolean stillWanted = wantedMacs.contains(key(a.machineUid, a.mac));
      boolean young = a.since != null && Instant.parse(a.since).plus(RELEASE_GRACE).isAfter(now);
      if ((stillWanted || young) && taken.add(a.ip)) {
        kept.add(a);
      }
    }
    Set<String> allocated = new HashSet<>();
    kept.forEach(a -> allocated.add(key(a.machineUid, a.mac)));
    Optional<EffectiveIpv4> ip = EffectiveIpv4.of(n.getSpec().ipv4);
    if (ip.isEmpty() || !ip.get().dhcp()) {
      return kept;
    }
    Set<String> reserved = reserved(n, ip.get());
    long first = ip.get().dhcpStart().value();
    long size = ip.get().dhcpEnd().value() - first + 1;
    if (size <= 0) {
      return kept; // an invalid range: the validator says so
    }
    List<Wanted> missing =
        wanted.stream()
            .filter(w -> !allocated.contains(key(w.uid(), w.mac())))
            .sorted(Comparator.comparing(Wanted::uid).thenComparing(Wanted::interfaceName))
            .toList();
    for (Wanted w : missing) {
      long start = Long.parseLong(NetworkNaming.sha256Hex(w.mac()).substring(0, 8), 16) % size;
      for (long i = 0; i < size; i++) {
        String candidate = new Ipv4(first + (start + i) % size).toString();
        if (!taken.contains(candidate) && !reserved.contains(candidate)) {
          taken.add(candidate);
          kept.add(
              new AddressAllocation(
                  w.mac(), candidate, w.machine(), w.interfaceName(), w.uid(), now.toString()));
          break;
        }
      }
    }
    kept.sort(Comparator.comparing((AddressAllocation a) -> Ipv4.parse(a.ip).orElseThrow()));
    return kept;
  }

  private static String key(String uid, String mac) {
    return uid + "/" + mac.toLowerCase(java.util.Locale.ROOT);
  }

  /** The gateway and spec.ipv4.dhcp.hosts' addresses: never given to a machine. */
  private static Set<String> reserved(KvmNetwork n, EffectiveIpv4 ip) {
    Set<String> out = new HashSet<>();
    out.add(ip.gateway().toString());
    var dhcp = n.getSpec().ipv4.dhcp;
    if (dhcp != null && dhcp.hosts != null) {
      dhcp.hosts.forEach(h -> out.add(h.ip));
    }
    return out;
  }

  /** The address allocated to this MAC, if any. */
  public static Optional<AddressAllocation> addressOf(KvmNetwork n, String mac) {
    if (n.getStatus() == null || n.getStatus().addresses == null || mac == null) {
      return Optional.empty();
    }
    return n.getStatus().addresses.stream().filter(a -> mac.equalsIgnoreCase(a.mac)).findFirst();
  }
}
