package io.kvmop.testing;

import io.kvmop.network.HostInterface;
import io.kvmop.network.HostNetworkPort;
import io.kvmop.network.Ipv4Cidr;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-memory host for tests on the libvirt test driver, which creates no real bridges. */
public final class FakeHostNetwork implements HostNetworkPort {
  private final Map<String, HostInterface> interfaces = new ConcurrentHashMap<>();
  public final List<String> deletedLinks = new CopyOnWriteArrayList<>();

  public FakeHostNetwork() {
    add("lo", "127.0.0.1/8");
    add("eth0", "192.0.2.2/24");
  }

  public void add(String name, String cidr) {
    interfaces.put(name, new HostInterface(name, List.of(Ipv4Cidr.parse(cidr).orElseThrow())));
  }

  public void remove(String name) {
    interfaces.remove(name);
  }

  @Override
  public List<HostInterface> interfaces() {
    return List.copyOf(interfaces.values());
  }

  @Override
  public void deleteLink(String name) {
    deletedLinks.add(name);
    interfaces.remove(name);
  }

  /** The tunnels as the agent last made them, by device. */
  public final Map<String, io.kvmop.network.Tunnel> tunnels = new ConcurrentHashMap<>();

  @Override
  public void ensureTunnel(io.kvmop.network.Tunnel tunnel) {
    tunnels.put(tunnel.device(), tunnel);
  }

  @Override
  public boolean tunnelUp(io.kvmop.network.Tunnel tunnel) {
    return tunnel.equals(tunnels.get(tunnel.device()));
  }

  @Override
  public void removeTunnel(String device) {
    tunnels.remove(device);
  }
}
