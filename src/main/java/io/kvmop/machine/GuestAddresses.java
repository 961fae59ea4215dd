package io.kvmop.machine;

import io.kvmop.api.InterfaceStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.libvirt.DhcpLease;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.GuestNic;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A running machine's addresses, per interface: the guest agent's when it answers, else this boot's
 * DHCP lease (a lease from before kvmop started the domain never counts).
 */
final class GuestAddresses {
  private final LibvirtPort libvirt;
  private final NetworkLeases leases;

  /** Per uid, each MAC's lease expiry just before kvmop last started the domain. */
  private final Map<String, Map<String, Long>> staleLeases = new ConcurrentHashMap<>();

  GuestAddresses(LibvirtPort libvirt, NetworkLeases leases) {
    this.libvirt = libvirt;
    this.leases = leases;
  }

  boolean agentConnected(KvmMachineSpec spec, Optional<DomainState> d, MachineNaming n) {
    return agentNics(spec, d, n).isPresent();
  }

  /** The agent's view of the guest's interfaces; empty when there is no agent or it is silent. */
  private Optional<List<GuestNic>> agentNics(
      KvmMachineSpec spec, Optional<DomainState> d, MachineNaming n) {
    if (!Boolean.TRUE.equals(spec.guestAgent) || !d.map(DomainState::running).orElse(false)) {
      return Optional.empty();
    }
    return libvirt.domains().agentInterfaces(n.domainName());
  }

  /**
   * Addresses per interface: the guest agent's when it answers, else the DHCP lease of the
   * interface's network. A known address is kept while the machine runs and nothing new is found; a
   * stopped machine has none.
   */
  List<InterfaceStatus> addresses(
      KvmMachine m,
      MachineNaming naming,
      Map<String, String> nets,
      boolean running,
      boolean agent) {
    List<InterfaceStatus> result = MachineStatusBuilder.interfaces(m, naming);
    if (!running) {
      return result;
    }
    List<GuestNic> fromAgent =
        agent
            ? libvirt.domains().agentInterfaces(naming.domainName()).orElse(List.of())
            : List.of();
    Map<String, List<DhcpLease>> byNetwork = new HashMap<>();
    for (InterfaceStatus i : result) {
      List<String> ips = new ArrayList<>();
      String source = null;
      for (GuestNic g : fromAgent) {
        if (g.mac().equals(i.mac) && !g.ipv4().isEmpty()) {
          ips.addAll(g.ipv4());
          source = "agent";
        }
      }
      String net = nets.get(i.name);
      if (ips.isEmpty() && net != null) {
        List<DhcpLease> l = byNetwork.computeIfAbsent(net, n -> leases.of(n).orElse(List.of()));
        l.stream()
            .filter(x -> x.mac() != null && x.mac().toLowerCase(Locale.ROOT).equals(i.mac))
            .filter(x -> fresh(m.getMetadata().getUid(), x))
            .map(DhcpLease::ip)
            .forEach(ips::add);
        source = ips.isEmpty() ? null : "lease";
      }
      if (ips.isEmpty()) {
        previous(m, i.name)
            .ifPresent(
                p -> {
                  ips.addAll(p.ipAddresses);
                  i.source = p.source;
                });
      } else {
        i.source = source;
      }
      i.ipAddresses = ips;
    }
    return result;
  }

  /**
   * dnsmasq keeps a lease after its guest is gone, and a machine declared again with the same MAC
   * would show it before it has booted: the leases its MACs hold just before kvmop starts the
   * domain are remembered, and only a later one (a new grant expires later) is this boot's.
   */
  void rememberStaleLeases(KvmMachine m, MachineNaming naming, Map<String, String> nets) {
    Map<String, Long> stale = new HashMap<>();
    for (InterfaceStatus i : MachineStatusBuilder.interfaces(m, naming)) {
      String net = nets.get(i.name);
      if (net == null) {
        continue;
      }
      try {
        leases.of(net).orElse(List.of()).stream()
            .filter(l -> l.mac() != null && l.mac().toLowerCase(Locale.ROOT).equals(i.mac))
            .forEach(l -> stale.merge(i.mac, l.expiryEpochSeconds(), Math::max));
      } catch (LibvirtError e) {
        // no lease list now: nothing to hold against the next one
      }
    }
    staleLeases.put(m.getMetadata().getUid(), stale);
  }

  private boolean fresh(String uid, DhcpLease l) {
    Long stale = staleLeases.getOrDefault(uid, Map.of()).get(l.mac().toLowerCase(Locale.ROOT));
    return stale == null || l.expiryEpochSeconds() > stale;
  }

  private static Optional<InterfaceStatus> previous(KvmMachine m, String ifname) {
    if (m.getStatus() == null || m.getStatus().interfaces == null) {
      return Optional.empty();
    }
    return m.getStatus().interfaces.stream()
        .filter(p -> ifname.equals(p.name) && p.ipAddresses != null && !p.ipAddresses.isEmpty())
        .findFirst();
  }

  /** The machine is gone: nothing of it is remembered. */
  void forget(String uid) {
    staleLeases.remove(uid);
  }
}
