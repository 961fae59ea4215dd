package io.kvmop.network;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real host: interfaces from the kernel (via the JDK), link removal with iproute2's {@code ip}
 * since neither libvirt nor the JDK can delete a link.
 */
public final class LinuxHostNetwork implements HostNetworkPort {

  @Override
  public List<HostInterface> interfaces() {
    try {
      List<HostInterface> result = new ArrayList<>();
      java.util.Map<String, List<Ipv4Cidr>> routes =
          routes(java.nio.file.Path.of("/proc/net/route"));
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        List<Ipv4Cidr> addrs = new ArrayList<>();
        for (InterfaceAddress a : nic.getInterfaceAddresses()) {
          if (a.getAddress() instanceof Inet4Address v4) {
            Ipv4.parse(v4.getHostAddress())
                .ifPresent(ip -> addrs.add(Ipv4Cidr.of(ip, a.getNetworkPrefixLength())));
          }
        }
        result.add(
            new HostInterface(
                nic.getName(), List.copyOf(addrs), routes.getOrDefault(nic.getName(), List.of())));
      }
      return result;
    } catch (SocketException e) {
      throw new IllegalStateException("cannot list the host's network interfaces", e);
    }
  }

  /**
   * The IPv4 routes of this network namespace by device, from the kernel's table (destination and
   * mask in little-endian hex): the default route is left out, it overlaps everything.
   */
  public static java.util.Map<String, List<Ipv4Cidr>> routes(java.nio.file.Path table) {
    java.util.Map<String, List<Ipv4Cidr>> out = new java.util.HashMap<>();
    try {
      for (String line : java.nio.file.Files.readAllLines(table).stream().skip(1).toList()) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 8) {
          continue;
        }
        long dest = Long.reverseBytes(Long.parseLong(f[1], 16) << 32) & 0xffffffffL;
        long mask = Long.reverseBytes(Long.parseLong(f[7], 16) << 32) & 0xffffffffL;
        int prefix = Long.bitCount(mask);
        if (prefix == 0) {
          continue;
        }
        Ipv4.parse(
                ((dest >> 24) & 0xff)
                    + "."
                    + ((dest >> 16) & 0xff)
                    + "."
                    + ((dest >> 8) & 0xff)
                    + "."
                    + (dest & 0xff))
            .ifPresent(
                a -> out.computeIfAbsent(f[0], k -> new ArrayList<>()).add(Ipv4Cidr.of(a, prefix)));
      }
    } catch (IOException | RuntimeException e) {
      // no routing table to read (not Linux): the interfaces' own addresses are still checked
    }
    return out;
  }

  @Override
  public void deleteLink(String name) {
    try {
      Process p =
          new ProcessBuilder("ip", "link", "delete", "dev", name).redirectErrorStream(true).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("ip link delete " + name + " did not finish in 10 s");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.exitValue() != 0 && !out.contains("Cannot find device")) {
        throw new IllegalStateException("ip link delete " + name + " failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run ip link delete " + name + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted deleting link " + name, e);
    }
  }

  @Override
  public void ensureTunnel(Tunnel tunnel) {
    LinuxTunnels.ensure(tunnel);
  }

  @Override
  public boolean tunnelUp(Tunnel tunnel) {
    return LinuxTunnels.up(tunnel);
  }

  @Override
  public void removeTunnel(String device) {
    LinuxTunnels.remove(device);
  }
}
