package io.kvmop.host;

import io.kvmop.network.Ipv4;
import io.kvmop.network.Ipv4Cidr;
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
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        List<Ipv4Cidr> addrs = new ArrayList<>();
        for (InterfaceAddress a : nic.getInterfaceAddresses()) {
          if (a.getAddress() instanceof Inet4Address v4) {
            Ipv4.parse(v4.getHostAddress())
                .ifPresent(ip -> addrs.add(Ipv4Cidr.of(ip, a.getNetworkPrefixLength())));
          }
        }
        result.add(new HostInterface(nic.getName(), List.copyOf(addrs)));
      }
      return result;
    } catch (SocketException e) {
      throw new IllegalStateException("cannot list the host's network interfaces", e);
    }
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
}
