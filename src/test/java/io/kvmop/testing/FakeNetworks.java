package io.kvmop.testing;

import io.kvmop.libvirt.DhcpLease;
import io.kvmop.libvirt.NetworkPort;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.libvirt.NetworkUpdate;
import io.kvmop.libvirt.Operation;
import io.kvmop.libvirt.Operation.Step;
import io.kvmop.libvirt.xml.NetworkXml;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The fake's networks and their DHCP leases. */
public final class FakeNetworks implements NetworkPort {
  private final FakeLibvirt libvirt;
  private final Map<String, NetworkState> networks = new HashMap<>();
  private final Map<String, List<DhcpLease>> leases = new HashMap<>();
  private long leaseSeq;

  FakeNetworks(FakeLibvirt libvirt) {
    this.libvirt = libvirt;
  }

  private void call(Step operation) {
    libvirt.record(operation);
  }

  /** A lease granted now: each one expires later than any granted before it, as dnsmasq's do. */
  synchronized void lease(String network, String mac, String ip) {
    leases
        .computeIfAbsent(network, n -> new ArrayList<>())
        .add(
            new DhcpLease(
                mac, ip, 24, null, java.time.Instant.now().getEpochSecond() + 3600 + leaseSeq++));
  }

  synchronized void clearLeases(String network) {
    leases.remove(network);
  }

  @Override
  public synchronized Optional<NetworkState> findNetwork(String name) {
    call(Operation.LOOK_UP_NETWORK.on(name));
    return Optional.ofNullable(networks.get(name));
  }

  @Override
  public synchronized List<NetworkState> listNetworks() {
    call(Operation.LIST_NETWORKS.alone());
    return List.copyOf(networks.values());
  }

  @Override
  public synchronized void defineNetwork(NetworkXml xml) {
    call(Operation.DEFINE_NETWORK.on(xml.name()));
    NetworkState old = networks.get(xml.name());
    networks.put(
        xml.name(),
        old == null
            ? new NetworkState(xml.name(), xml.uuid(), false, false, true, xml, null)
            : new NetworkState(
                xml.name(), xml.uuid(), old.active(), old.autostart(), true, xml, old.live()));
  }

  @Override
  public synchronized void startNetwork(String name) {
    call(Operation.START_NETWORK.on(name));
    NetworkState s = networks.get(name);
    networks.put(
        name,
        new NetworkState(
            name, s.uuid(), true, s.autostart(), s.persistent(), s.config(), s.config()));
  }

  @Override
  public synchronized void stopNetwork(String name) {
    call(Operation.STOP_NETWORK.on(name));
    NetworkState s = networks.get(name);
    networks.put(
        name,
        new NetworkState(name, s.uuid(), false, s.autostart(), s.persistent(), s.config(), null));
  }

  @Override
  public synchronized void undefineNetwork(String name) {
    call(Operation.UNDEFINE_NETWORK.on(name));
    networks.remove(name);
  }

  @Override
  public synchronized void setNetworkAutostart(String name, boolean autostart) {
    call(Operation.SET_AUTOSTART_OF_NETWORK.on(name));
    NetworkState s = networks.get(name);
    networks.put(
        name,
        new NetworkState(
            name, s.uuid(), s.active(), autostart, s.persistent(), s.config(), s.live()));
  }

  @Override
  public synchronized Optional<Boolean> networkAutostart(String name) {
    call(Operation.READ_AUTOSTART_OF_NETWORK.on(name));
    return Optional.ofNullable(networks.get(name))
        .filter(NetworkState::persistent)
        .map(NetworkState::autostart);
  }

  @Override
  public synchronized void updateRunningNetwork(String name, NetworkUpdate update) {
    call(Operation.UPDATE_RUNNING_NETWORK.on(name));
  }

  @Override
  public synchronized Optional<List<DhcpLease>> dhcpLeases(String name) {
    call(Operation.READ_DHCP_LEASES.as("read DHCP leases of network " + name));
    return Optional.of(List.copyOf(leases.getOrDefault(name, List.of())));
  }
}
