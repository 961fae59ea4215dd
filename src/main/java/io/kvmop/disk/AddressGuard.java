package io.kvmop.disk;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Decides whether an image download may connect to a host: after name resolution every address the
 * name has must be public (not loopback, link-local, private, unique-local, multicast, unspecified,
 * reserved or one of the node's own), unless the node's policy names the host or a network holding
 * the address. IPv4 addresses embedded in IPv6 ones (mapped, compatible, 6to4, NAT64) are judged as
 * the IPv4 address they carry; numeric forms (decimal, octal, hex) are whatever the resolver makes
 * of them, so they are judged after resolution too.
 */
public final class AddressGuard {
  private final Supplier<Set<InetAddress>> ownAddresses;
  private final Resolver resolver;

  /** Name resolution, replaceable in tests. */
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  public AddressGuard() {
    this(AddressGuard::nodeAddresses, InetAddress::getAllByName);
  }

  public AddressGuard(Supplier<Set<InetAddress>> ownAddresses, Resolver resolver) {
    this.ownAddresses = ownAddresses;
    this.resolver = resolver;
  }

  /** Why the host must not be reached, or null when it may. */
  public String refusal(String host, DownloadPolicy policy) {
    if (host == null || host.isEmpty()) {
      return "the URL has no host";
    }
    String bare =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    boolean named = policy.allowedHosts().contains(bare.toLowerCase(Locale.ROOT));
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(bare);
    } catch (UnknownHostException e) {
      return "host " + bare + " cannot be resolved";
    }
    if (addresses.length == 0) {
      return "host " + bare + " has no address";
    }
    if (named) {
      return null;
    }
    Set<InetAddress> own = ownAddresses.get();
    for (InetAddress a : addresses) {
      String why = internal(a, own);
      if (why != null && !inAllowedNetwork(a, policy.allowedNetworks())) {
        return "host "
            + bare
            + " resolves to "
            + a.getHostAddress()
            + ", "
            + why
            + "; downloads reach only public addresses unless "
            + policy.settings().allowing
            + " names it";
      }
    }
    return null;
  }

  /** Why an address is internal, or null when it is public. */
  static String internal(InetAddress a, Set<InetAddress> own) {
    String why = kind(a, own);
    return why == null && own.contains(a) ? "an address of this node" : why;
  }

  private static String kind(InetAddress a, Set<InetAddress> own) {
    byte[] b = a.getAddress();
    if (!(a instanceof Inet6Address)) {
      return ipv4Kind(b);
    }
    byte[] v4 = embeddedIpv4(b);
    if (v4 != null) {
      try {
        String why = internal(InetAddress.getByAddress(v4), own);
        return why == null ? null : why + " (embedded in " + a.getHostAddress() + ")";
      } catch (UnknownHostException e) {
        return "a malformed address";
      }
    }
    return ipv6Kind(a, b);
  }

  private static String ipv6Kind(InetAddress a, byte[] b) {
    if (a.isAnyLocalAddress()) {
      return "the unspecified address";
    }
    if (a.isLoopbackAddress()) {
      return "a loopback address";
    }
    if (a.isLinkLocalAddress() || (b[0] == (byte) 0xfe && (b[1] & 0xc0) == 0xc0)) {
      return "a link-local address";
    }
    if ((b[0] & 0xfe) == 0xfc) {
      return "a unique-local address";
    }
    if (a.isMulticastAddress()) {
      return "a multicast address";
    }
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == (byte) 0xb8) {
      return "a documentation address";
    }
    return (b[0] & 0xe0) != 0x20 ? "not a global unicast address" : null;
  }

  private static String ipv4Kind(byte[] b) {
    int o0 = b[0] & 0xff;
    int o1 = b[1] & 0xff;
    int o2 = b[2] & 0xff;
    if (o0 == 0) {
      return "in 0.0.0.0/8 (this network)";
    }
    if (o0 == 127) {
      return "a loopback address";
    }
    if (o0 == 10 || (o0 == 172 && (o1 & 0xf0) == 16) || (o0 == 192 && o1 == 168)) {
      return "a private address";
    }
    if (o0 == 100 && (o1 & 0xc0) == 64) {
      return "a shared (carrier-grade NAT) address";
    }
    if (o0 == 169 && o1 == 254) {
      return "a link-local address";
    }
    if (o0 == 192 && o1 == 0 && o2 == 0) {
      return "an IETF protocol address";
    }
    if (o0 == 198 && (o1 & 0xfe) == 18) {
      return "a benchmarking address";
    }
    if ((o0 == 192 && o1 == 0 && o2 == 2)
        || (o0 == 198 && o1 == 51 && o2 == 100)
        || (o0 == 203 && o1 == 0 && o2 == 113)) {
      return "a documentation address";
    }
    if (o0 >= 224) {
      return o0 < 240 ? "a multicast address" : "a reserved address";
    }
    return null;
  }

  /** The IPv4 address an IPv6 one carries (mapped, compatible, 6to4, NAT64), or null. */
  private static byte[] embeddedIpv4(byte[] b) {
    boolean zero10 = true;
    for (int i = 0; i < 10; i++) {
      zero10 &= b[i] == 0;
    }
    if (zero10 && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
      boolean zero12 = b[10] == 0 && b[11] == 0;
      if (zero12 && b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1)) {
        return null; // :: and ::1, judged as IPv6
      }
      return new byte[] {b[12], b[13], b[14], b[15]};
    }
    if (b[0] == 0x20 && b[1] == 0x02) { // 6to4 2002:AABB:CCDD::
      return new byte[] {b[2], b[3], b[4], b[5]};
    }
    if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b) { // 64:ff9b::/96
      return new byte[] {b[12], b[13], b[14], b[15]};
    }
    return null;
  }

  static boolean inAllowedNetwork(InetAddress a, List<String> networks) {
    for (String n : networks) {
      int slash = n.indexOf('/');
      try {
        InetAddress base = InetAddress.getByName(slash < 0 ? n : n.substring(0, slash));
        int prefix =
            slash < 0 ? base.getAddress().length * 8 : Integer.parseInt(n.substring(slash + 1));
        if (matches(base.getAddress(), a.getAddress(), prefix)) {
          return true;
        }
      } catch (UnknownHostException | NumberFormatException e) {
        // an unparsable entry allows nothing (the validator reports it)
      }
    }
    return false;
  }

  private static boolean matches(byte[] net, byte[] addr, int prefix) {
    if (net.length != addr.length || prefix < 0 || prefix > net.length * 8) {
      return false;
    }
    for (int i = 0; i < prefix; i++) {
      int mask = 0x80 >> (i % 8);
      if ((net[i / 8] & mask) != (addr[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /** Every address of this node's interfaces. */
  public static Set<InetAddress> nodeAddresses() {
    Set<InetAddress> all = new HashSet<>();
    try {
      for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(i.getInetAddresses())) {
          all.add(a instanceof Inet6Address six ? stripScope(six) : a);
        }
      }
    } catch (SocketException e) {
      // without the list, the address classes above still refuse what is internal
    }
    return all;
  }

  private static InetAddress stripScope(Inet6Address a) {
    try {
      return InetAddress.getByAddress(a.getAddress());
    } catch (UnknownHostException e) {
      return a;
    }
  }
}
