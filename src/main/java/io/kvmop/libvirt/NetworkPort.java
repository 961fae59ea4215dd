package io.kvmop.libvirt;

import io.kvmop.libvirt.xml.NetworkXml;
import java.util.List;
import java.util.Optional;

/**
 * libvirt's virtual networks: kvmop's own, and the others it only reads.
 *
 * <p>Every method throws {@link LibvirtError} (unchecked) with libvirt's error code kept.
 */
public interface NetworkPort {
  Optional<NetworkState> findNetwork(String name);

  /** Every network libvirt knows, active or only defined. */
  List<NetworkState> listNetworks();

  /** Defines (or redefines, same name and UUID) a persistent network. */
  void defineNetwork(NetworkXml xml);

  void startNetwork(String name);

  /** Stops a running network (libvirt's destroy); its definition stays. */
  void stopNetwork(String name);

  void undefineNetwork(String name);

  void setNetworkAutostart(String name, boolean autostart);

  /** Only the autostart flag (cheap: no XML); empty when there is no such persistent network. */
  Optional<Boolean> networkAutostart(String name);

  /** Changes the running network in place (its persistent definition is left alone). */
  void updateRunningNetwork(String name, NetworkUpdate update);

  /** The network's DHCP leases; empty when this libvirt driver cannot report them. */
  Optional<List<DhcpLease>> dhcpLeases(String name);
}
