package io.kvmop.standalone;

import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkSpec;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.machine.MachineRealizer;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.status.Happened;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this directory created and no manifest declares any more goes: machines first (with the spec
 * they were last applied with), then networks no domain on its way out still uses, each only once
 * its manifest has stayed gone for {@link #REMOVAL_GRACE}, and never while a file cannot be read to
 * the end.
 */
final class StandaloneRemoval {
  private static final Logger LOG = LoggerFactory.getLogger(StandaloneRemoval.class);

  /** How long a manifest must stay gone before what it declared is removed. */
  static final Duration REMOVAL_GRACE = Duration.ofSeconds(2);

  private final LibvirtPort libvirt;
  private final MachineRealizer machines;
  private final NetworkRealizer networks;
  private final StatusStore store;
  private final StandaloneMarks marks;
  private final Clock clock;
  private final Function<String, KvmMachine> lastApplied;
  private final Map<String, Instant> missingSince = new HashMap<>();

  StandaloneRemoval(
      LibvirtPort libvirt,
      MachineRealizer machines,
      NetworkRealizer networks,
      StatusStore store,
      StandaloneMarks marks,
      Clock clock,
      Function<String, KvmMachine> lastApplied) {
    this.libvirt = libvirt;
    this.machines = machines;
    this.networks = networks;
    this.store = store;
    this.marks = marks;
    this.clock = clock;
    this.lastApplied = lastApplied;
  }

  /** The uids whose removal was logged (each once); forgotten when they are declared again. */
  private final Set<String> announced = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** One sweep: when it runs, what it saw missing, how soon to look again. */
  private final class Sweep {
    final Instant now = clock.instant();
    final boolean atOnce;
    final Set<String> missing = new HashSet<>();
    Duration again;

    Sweep(boolean atOnce) {
      this.atOnce = atOnce;
    }

    /**
     * A manifest seen missing is acted on only once it has stayed missing for the grace: a file
     * being rewritten (an editor, a git checkout) is briefly absent or empty.
     */
    boolean stillInGrace(String key) {
      if (atOnce) {
        return false;
      }
      missing.add(key);
      Instant since = missingSince.computeIfAbsent(key, k -> now);
      Duration left = Duration.between(now, since.plus(REMOVAL_GRACE));
      if (left.isNegative() || left.isZero()) {
        return false;
      }
      sooner(Optional.of(left));
      return true;
    }

    void sooner(Optional<Duration> d) {
      if (d.isPresent() && (again == null || d.get().compareTo(again) < 0)) {
        again = d.get();
      }
    }
  }

  /**
   * Returns how soon to look again (a shutdown timeout running out raises no event), or null when
   * nothing is in progress.
   */
  Duration removeGone(
      List<KvmNetwork> nets,
      List<KvmMachine> vms,
      Manifests.Loaded loaded,
      Set<String> held,
      boolean atOnce)
      throws IOException {
    if (!atOnce && !loaded.unreadable().isEmpty()) {
      // what those files declared is unknown: removing anything now could remove what they hold
      LOG.warn(
          "nothing is removed while {} cannot be read to the end (YAML syntax)",
          loaded.unreadable().keySet());
      missingSince.clear();
      return null;
    }
    Sweep sweep = new Sweep(atOnce);
    vms.forEach(m -> announced.remove(m.getMetadata().getUid()));
    nets.forEach(n -> announced.remove(n.getMetadata().getUid()));
    Map<String, List<String>> usedBy = removeMachines(sweep, vms, held);
    removeNetworks(sweep, nets, vms, held, usedBy);
    missingSince.keySet().retainAll(sweep.missing);
    return sweep.again;
  }

  /**
   * Machines whose manifest is gone, by their domains and by their status files (a domain removed
   * by hand, or a run killed after the undefine); returns which libvirt networks the domains that
   * stay (or are still on their way out) use, and by whom.
   */
  private Map<String, List<String>> removeMachines(
      Sweep sweep, List<KvmMachine> vms, Set<String> held) throws IOException {
    Set<String> declared =
        vms.stream().map(m -> m.getMetadata().getUid()).collect(Collectors.toSet());
    Set<String> inLibvirt = new HashSet<>();
    Map<String, List<String>> usedBy = new HashMap<>();
    for (String name : libvirt.domains().listDomainNames()) {
      Optional<DomainState> d = libvirt.domains().findDomain(name);
      Optional<StandaloneMarks.Owner> owner = d.flatMap(marks::of);
      if (owner.isEmpty()) {
        continue; // not created by this directory
      }
      StandaloneMarks.Owner o = owner.get();
      inLibvirt.add(o.uid());
      boolean stays =
          declared.contains(o.uid()) || held.contains(o.key()) || sweep.stillInGrace(o.key());
      if (!stays) {
        if (announced.add(o.uid())) { // said once, however many passes the removal takes
          LOG.info(
              "{}: removing machine {}/{} (domain {})",
              sweep.atOnce ? "kvmop delete" : "its manifest is gone",
              o.namespace(),
              o.name(),
              name);
        }
        Optional<Duration> pending = removeMachine(o.namespace(), o.name(), o.uid());
        sweep.sooner(pending);
        stays = pending.isPresent();
      }
      if (stays && d.get().config().devices() != null) {
        var nics = d.get().config().devices().interfaces();
        for (var nic : nics == null ? List.<DomainXml.Interface>of() : nics) {
          if (nic.source() != null && nic.source().network() != null) {
            usedBy
                .computeIfAbsent(nic.source().network(), k -> new ArrayList<>())
                .add(o.namespace() + "/" + o.name());
          }
        }
      }
    }
    for (String[] id : store.list("KvmMachine")) {
      String uid = marks.uid("KvmMachine", id[0], id[1]);
      String key = "KvmMachine/" + id[0] + "/" + id[1];
      if (declared.contains(uid)
          || inLibvirt.contains(uid)
          || held.contains(key)
          || sweep.stillInGrace(key)) {
        continue;
      }
      sweep.sooner(removeMachine(id[0], id[1], uid));
    }
    return usedBy;
  }

  private void removeNetworks(
      Sweep sweep,
      List<KvmNetwork> nets,
      List<KvmMachine> vms,
      Set<String> held,
      Map<String, List<String>> usedBy)
      throws IOException {
    Set<String> declared =
        nets.stream().map(n -> n.getMetadata().getUid()).collect(Collectors.toSet());
    Set<String> inLibvirt = new HashSet<>();
    for (NetworkState s : libvirt.networks().listNetworks()) {
      Optional<StandaloneMarks.Owner> owner = marks.of(s);
      if (owner.isEmpty()) {
        continue;
      }
      StandaloneMarks.Owner o = owner.get();
      inLibvirt.add(o.uid());
      if (declared.contains(o.uid()) || held.contains(o.key()) || sweep.stillInGrace(o.key())) {
        continue;
      }
      KvmNetwork gone = new KvmNetwork();
      gone.getMetadata().setNamespace(o.namespace());
      gone.getMetadata().setName(o.name());
      gone.getMetadata().setUid(o.uid());
      gone.setSpec(new KvmNetworkSpec());
      List<String> users = new ArrayList<>(usedBy.getOrDefault(s.name(), List.of()));
      vms.stream()
          .filter(m -> m.getMetadata().getNamespace().equals(o.namespace()))
          .filter(m -> m.getSpec().interfaces.stream().anyMatch(i -> o.name().equals(i.network)))
          .map(m -> m.getMetadata().getNamespace() + "/" + m.getMetadata().getName())
          .filter(u -> !users.contains(u))
          .forEach(users::add);
      if (announced.add(o.uid())) {
        LOG.info(
            "{}: removing network {}/{} ({})",
            sweep.atOnce ? "kvmop delete" : "its manifest is gone",
            o.namespace(),
            o.name(),
            s.name());
      }
      // in use: the pass that finishes removing the machine (it comes first) removes it too
      if (networks.remove(gone, users).isEmpty()) {
        store.delete(store.file("KvmNetwork", o.namespace(), o.name()));
      }
    }
    for (String[] id : store.list("KvmNetwork")) {
      String uid = marks.uid("KvmNetwork", id[0], id[1]);
      String key = "KvmNetwork/" + id[0] + "/" + id[1];
      if (!declared.contains(uid)
          && !inLibvirt.contains(uid)
          && !held.contains(key)
          && !sweep.stillInGrace(key)) {
        store.delete(store.file("KvmNetwork", id[0], id[1]));
      }
    }
  }

  /** Removes a machine whose manifest is gone; empty once nothing of it is left. */
  private Optional<Duration> removeMachine(String ns, String name, String uid) throws IOException {
    Path file = store.file("KvmMachine", ns, name);
    KvmMachine gone = lastApplied.apply("KvmMachine/" + ns + "/" + name);
    if (gone == null) {
      gone = LastApplied.machine(ns, name, uid, file, store);
    }
    List<Happened> released = new ArrayList<>();
    Optional<Duration> pending = machines.remove(gone, released);
    released.forEach(h -> LOG.info("{}/{}: {}", ns, name, h.message()));
    if (pending.isEmpty()) {
      store.delete(file);
    }
    return pending;
  }

  /**
   * Volumes of these machines still in the pool: named after a machine's domain and carrying its
   * uid (as VolumeCleanup names them); after a removal, the disks removed from a spec earlier.
   */
  List<String> keptVolumes(java.util.Collection<KvmMachine> of) {
    List<String[]> owners =
        of.stream()
            .map(
                m ->
                    new String[] {
                      machines.naming(m).domainName() + "-",
                      "-" + m.getMetadata().getUid().replace("-", "").substring(0, 8) + "."
                    })
            .toList();
    String pool = machines.disks().config().poolName();
    List<String> kept = new ArrayList<>();
    try {
      for (String v : libvirt.storage().listVolumes(pool)) {
        if (owners.stream().anyMatch(o -> v.startsWith(o[0]) && v.contains(o[1]))) {
          kept.add(
              machines.disks().config().volumePath(v)
                  + " (virsh vol-delete --pool "
                  + pool
                  + " "
                  + v
                  + ")");
        }
      }
    } catch (LibvirtError e) {
      LOG.debug("cannot list pool {}: {}", pool, e.toString());
    }
    return kept;
  }
}
