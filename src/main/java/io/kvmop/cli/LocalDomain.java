package io.kvmop.cli;

import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.machine.MachineNaming;
import java.util.Optional;

/**
 * A machine's domain on this host, for the --local commands: only one that carries kvmop's mark for
 * the namespace and name given, and running; otherwise why not.
 */
record LocalDomain(DomainState state, String problem) {
  static LocalDomain find(LibvirtPort libvirt, String ns, String name) {
    String domain = MachineNaming.of(ns, name, "", "/").domainName();
    Optional<DomainState> d = libvirt.domains().findDomain(domain);
    var owner =
        d.map(s -> s.config() == null ? null : s.config().metadata())
            .map(m -> m.owner())
            .orElse(null);
    if (owner == null || !ns.equals(owner.namespace()) || !name.equals(owner.name())) {
      return new LocalDomain(null, "no domain of KvmMachine " + ns + "/" + name + " on this host");
    }
    if (!d.get().running()) {
      return new LocalDomain(null, ns + "/" + name + " is not running (kvmop start " + name + ")");
    }
    return new LocalDomain(d.get(), null);
  }

  /** The address of the domain's first interface, from its network's DHCP leases. */
  Optional<String> address(LibvirtPort libvirt) {
    var devices = state.config().devices();
    if (devices == null || devices.interfaces() == null || devices.interfaces().isEmpty()) {
      return Optional.empty();
    }
    var nic = devices.interfaces().get(0);
    if (nic.source() == null || nic.mac() == null) {
      return Optional.empty();
    }
    String mac = nic.mac().address();
    return libvirt
        .networks()
        .dhcpLeases(nic.source().network())
        .orElse(java.util.List.of())
        .stream()
        .filter(l -> mac.equalsIgnoreCase(l.mac()))
        .map(l -> l.ip())
        .findFirst();
  }
}
