package io.kvmop.machine;

import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.status.Blocker;
import io.kvmop.status.Reasons;
import java.util.Optional;

/**
 * Interfaces on libvirt networks kvmop does not manage: allowed only where the node's admin permits
 * the network and kvmop does not own it, and only while it exists and runs (kvmop never starts it).
 */
final class UnmanagedNetworks {
  private final String node;
  private final LibvirtPort libvirt;

  UnmanagedNetworks(String node, LibvirtPort libvirt) {
    this.node = node;
    this.libvirt = libvirt;
  }

  /**
   * An existing libvirt network kvmop does not manage must exist and run; kvmop never starts it.
   */
  Optional<Blocker> check(NetworkBinding b, NodePolicy policy) {
    if (b.managed()) {
      return Optional.empty();
    }
    if (!policy.permittedLibvirtNetworks().contains(b.libvirtNetwork())) {
      return Optional.of(
          notPermitted(
              b,
              " is not one machines may use on node "
                  + node
                  + ": the node's admin lists those in KvmHost "
                  + node
                  + " spec.permittedLibvirtNetworks"
                  + (policy.permittedLibvirtNetworks().isEmpty()
                      ? " (empty now); or use a KvmNetwork"
                      : " (now: " + String.join(", ", policy.permittedLibvirtNetworks()) + ")")));
    }
    Optional<NetworkState> n = libvirt.networks().findNetwork(b.libvirtNetwork());
    if (n.isPresent() && ownedByKvmop(n.get())) {
      return Optional.of(
          notPermitted(
              b,
              " belongs to a KvmNetwork; name that KvmNetwork (in the machine's namespace) in"
                  + " spec.interfaces[].network instead"));
    }
    if (n.isEmpty()) {
      return Optional.of(
          new Blocker(
              Reasons.NETWORK_NOT_FOUND,
              "interface "
                  + b.interfaceName()
                  + ": libvirt network "
                  + b.libvirtNetwork()
                  + " does not exist on node "
                  + node
                  + "; create it, or use a KvmNetwork"));
    }
    if (!n.get().active()) {
      return Optional.of(
          new Blocker(
              Reasons.NETWORK_NOT_READY,
              "interface "
                  + b.interfaceName()
                  + ": libvirt network "
                  + b.libvirtNetwork()
                  + " is not active on node "
                  + node
                  + " (kvmop does not manage it): virsh net-start "
                  + b.libvirtNetwork()
                  + " && virsh net-autostart "
                  + b.libvirtNetwork()));
    }
    return Optional.empty();
  }

  private static Blocker notPermitted(NetworkBinding b, String why) {
    return new Blocker(
        Reasons.NETWORK_NOT_PERMITTED,
        "interface " + b.interfaceName() + ": libvirt network " + b.libvirtNetwork() + why);
  }

  /** A network kvmop made for some KvmNetwork: its mark, or a name in kvmop's own space. */
  private static boolean ownedByKvmop(NetworkState n) {
    return n.name().startsWith("kvmop-")
        || (n.config() != null
            && n.config().metadata() != null
            && n.config().metadata().owner() != null);
  }
}
