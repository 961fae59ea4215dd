package io.kvmop.standalone;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.DiskStatus;
import io.kvmop.api.ImageSource;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkSpec;
import io.kvmop.api.NodeNetworkStatus;
import io.kvmop.disk.DiskProvisioner;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.machine.MachineRealizer;
import io.kvmop.machine.NetworkBindings;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.status.NetworkStatusBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kvmop without a cluster: the resources of a manifest directory, reconciled by the same realizers
 * as the operator against this host's libvirt, with status written as YAML under {@code statusDir}.
 * What it created is found again after a restart from its ownership marks (a uid derived from kind,
 * namespace and name), so a manifest removed while it was down is still cleaned up; nothing without
 * that mark is touched.
 */
public final class StandaloneAgent {
  private static final Logger LOG = LoggerFactory.getLogger(StandaloneAgent.class);

  private final Path manifests;
  private final Path statusDir;
  private final String node;
  private final LibvirtPort libvirt;
  private final NetworkRealizer networks;
  private final MachineRealizer machines;
  private final Clock clock;
  private final Map<String, KvmNetwork> lastNetworks = new HashMap<>();
  private final Map<String, KvmMachine> lastMachines = new HashMap<>();
  private final Map<String, String> specs = new HashMap<>();
  private final Map<String, Long> generations = new HashMap<>();

  public StandaloneAgent(
      Path manifests,
      Path statusDir,
      String node,
      LibvirtPort libvirt,
      NetworkRealizer networks,
      MachineRealizer machines,
      Clock clock) {
    this.manifests = manifests;
    this.statusDir = statusDir;
    this.node = node;
    this.libvirt = libvirt;
    this.networks = networks;
    this.machines = machines;
    this.clock = clock;
  }

  /** What one pass found: problems per file, and how soon to look again (null: on events only). */
  public record Pass(List<Manifests.Problem> problems, Duration recheckAfter) {}

  /** Loads the manifests and reconciles everything once. */
  public synchronized Pass reconcileOnce() throws IOException {
    Manifests.Loaded loaded = Manifests.load(manifests);
    loaded.problems().forEach(p -> LOG.warn("{}", p));
    List<KvmNetwork> nets = loaded.networks().stream().map(this::withKnownState).toList();
    List<KvmMachine> vms = loaded.machines().stream().map(this::withKnownState).toList();
    Duration recheck = null;
    for (KvmNetwork n : nets) {
      NodeNetworkStatus entry = networks.realize(n, true, nets).orElse(null);
      n.setStatus(
          NetworkStatusBuilder.merge(
              n, NetworkRealizer.naming(n), node, entry, Optional.empty(), clock.instant()));
      write(n, "KvmNetwork");
    }
    Map<String, KvmNetwork> byName =
        nets.stream()
            .collect(
                Collectors.toMap(
                    n -> n.getMetadata().getNamespace() + "/" + n.getMetadata().getName(),
                    Function.identity()));
    for (KvmMachine m : vms) {
      if (m.getSpec().nodeName == null) {
        m.getSpec().nodeName = node; // standalone: the machine runs here
      }
      Map<String, KvmNetwork> mine = new HashMap<>();
      byName.forEach(
          (k, v) -> {
            if (k.startsWith(m.getMetadata().getNamespace() + "/")) {
              mine.put(v.getMetadata().getName(), v);
            }
          });
      MachineRealizer.Result r =
          machines.realize(
              m,
              NetworkBindings.resolve(m, mine, node),
              MachineRealizer.NodePolicy.of(
                  List.of(), List.of(machines.disks().config().poolPath())),
              (ns, name, key) ->
                  Optional.ofNullable(loaded.secrets().get(ns + "/" + name)).map(d -> d.get(key)));
      r.happened()
          .forEach(
              h ->
                  LOG.info(
                      "{}/{}: {}",
                      m.getMetadata().getNamespace(),
                      m.getMetadata().getName(),
                      h.message()));
      m.setStatus(r.status());
      write(m, "KvmMachine");
      if (r.recheckAfter() != null
          && (recheck == null || r.recheckAfter().compareTo(recheck) < 0)) {
        recheck = r.recheckAfter();
      }
    }
    removeWhatIsGone(nets, vms);
    remember(nets, vms);
    return new Pass(loaded.problems(), recheck);
  }

  /** Machines of the last pass that are Ready, with their first address; null if any is not. */
  public synchronized Map<String, String> readyMachines() {
    if (lastMachines.isEmpty()) {
      return null;
    }
    Map<String, String> ready = new java.util.TreeMap<>();
    for (KvmMachine m : lastMachines.values()) {
      if (m.getStatus() == null
          || !io.kvmop.status.Conditions.isTrue(m.getStatus().conditions, "Ready")) {
        return null;
      }
      ready.put(
          m.getMetadata().getNamespace() + "/" + m.getMetadata().getName(),
          m.getStatus().ipAddresses.isEmpty()
              ? "(no interface)"
              : m.getStatus().ipAddresses.get(0));
    }
    return ready;
  }

  /** Removes everything standalone kvmop created on this host; true once nothing is left. */
  public synchronized boolean removeAll() throws IOException {
    if (lastMachines.isEmpty()) {
      // a fresh process: the manifests still say how each machine wants to be shut down
      Manifests.load(manifests).machines().forEach(m -> lastMachines.put(key(m), m));
    }
    removeWhatIsGone(List.of(), List.of());
    boolean domainsLeft =
        domainNames().stream()
            .anyMatch(
                n ->
                    libvirt
                        .findDomain(n)
                        .map(
                            d ->
                                d.config().metadata() != null
                                    && d.config().metadata().owner() != null
                                    && Manifests.uid(
                                            "KvmMachine",
                                            d.config().metadata().owner().namespace(),
                                            d.config().metadata().owner().name())
                                        .equalsIgnoreCase(d.uuid()))
                        .orElse(false));
    boolean networksLeft =
        libvirt.listNetworks().stream()
            .anyMatch(
                s ->
                    s.config().metadata() != null
                        && s.config().metadata().owner() != null
                        && Manifests.uid(
                                "KvmNetwork",
                                s.config().metadata().owner().namespace(),
                                s.config().metadata().owner().name())
                            .equalsIgnoreCase(s.uuid()));
    if (domainsLeft || networksLeft) {
      return false;
    }
    // libvirt holds nothing of ours any more: status of resources whose libvirt objects were
    // already gone (removed by hand, or another libvirt) would otherwise still say Ready
    for (String kind : List.of("KvmMachine", "KvmNetwork")) {
      forgetStatus(statusDir.resolve(kind));
    }
    return true;
  }

  private static void forgetStatus(Path kindDir) throws IOException {
    if (!Files.isDirectory(kindDir)) {
      return;
    }
    try (var files = Files.walk(kindDir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (Files.isDirectory(f) || f.getFileName().toString().endsWith(".yaml")) {
          try {
            Files.delete(f);
          } catch (java.nio.file.DirectoryNotEmptyException e) {
            // something not ours is in there: keep it
          }
        }
      }
    }
  }

  private static String key(HasMetadata r) {
    return r.getKind() + "/" + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }

  /** Generation counts spec changes across passes; status carries over from the last pass. */
  private <T extends HasMetadata> T withKnownState(T r) {
    String k = key(r);
    Object spec = r instanceof KvmNetwork n ? n.getSpec() : ((KvmMachine) r).getSpec();
    String json = Serialization.asJson(spec);
    long gen = generations.getOrDefault(k, 1L);
    if (specs.containsKey(k) && !specs.get(k).equals(json)) {
      gen++;
    }
    specs.put(k, json);
    generations.put(k, gen);
    r.getMetadata().setGeneration(gen);
    if (r instanceof KvmNetwork n && lastNetworks.containsKey(k)) {
      n.setStatus(lastNetworks.get(k).getStatus());
    } else if (r instanceof KvmMachine m && lastMachines.containsKey(k)) {
      m.setStatus(lastMachines.get(k).getStatus());
    }
    return r;
  }

  private void remember(List<KvmNetwork> nets, List<KvmMachine> vms) {
    lastNetworks.clear();
    nets.forEach(n -> lastNetworks.put(key(n), n));
    lastMachines.clear();
    vms.forEach(m -> lastMachines.put(key(m), m));
  }

  /** Objects with the standalone mark whose manifest is gone: machines first, then networks. */
  private void removeWhatIsGone(List<KvmNetwork> nets, List<KvmMachine> vms) throws IOException {
    Set<String> machineUids =
        vms.stream().map(m -> m.getMetadata().getUid()).collect(Collectors.toSet());
    for (String name : domainNames()) {
      Optional<DomainState> d = libvirt.findDomain(name);
      if (d.isEmpty()
          || d.get().config().metadata() == null
          || d.get().config().metadata().owner() == null) {
        continue;
      }
      var owner = d.get().config().metadata().owner();
      String uid = Manifests.uid("KvmMachine", owner.namespace(), owner.name());
      if (!uid.equalsIgnoreCase(d.get().uuid()) || machineUids.contains(uid)) {
        continue; // not created by standalone kvmop, or still declared
      }
      KvmMachine gone =
          lastMachines.getOrDefault(
              "KvmMachine/" + owner.namespace() + "/" + owner.name(),
              stub(
                  owner.namespace(),
                  owner.name(),
                  uid,
                  statusFile("KvmMachine", owner.namespace(), owner.name())));
      LOG.info(
          "manifest of machine {}/{} is gone: removing domain {}",
          owner.namespace(),
          owner.name(),
          name);
      List<MachineRealizer.Happened> released = new java.util.ArrayList<>();
      boolean removed = machines.remove(gone, released).isEmpty();
      released.forEach(h -> LOG.info("{}/{}: {}", owner.namespace(), owner.name(), h.message()));
      if (removed) {
        Files.deleteIfExists(statusFile("KvmMachine", owner.namespace(), owner.name()));
      }
    }
    Set<String> networkUids =
        nets.stream().map(n -> n.getMetadata().getUid()).collect(Collectors.toSet());
    for (NetworkState s : libvirt.listNetworks()) {
      var meta = s.config().metadata();
      if (meta == null || meta.owner() == null) {
        continue;
      }
      String uid = Manifests.uid("KvmNetwork", meta.owner().namespace(), meta.owner().name());
      if (!uid.equalsIgnoreCase(s.uuid()) || networkUids.contains(uid)) {
        continue;
      }
      KvmNetwork gone = new KvmNetwork();
      gone.getMetadata().setNamespace(meta.owner().namespace());
      gone.getMetadata().setName(meta.owner().name());
      gone.getMetadata().setUid(uid);
      gone.setSpec(new KvmNetworkSpec());
      List<String> users =
          vms.stream()
              .filter(m -> m.getMetadata().getNamespace().equals(meta.owner().namespace()))
              .filter(
                  m ->
                      m.getSpec().interfaces.stream()
                          .anyMatch(i -> meta.owner().name().equals(i.network)))
              .map(m -> m.getMetadata().getNamespace() + "/" + m.getMetadata().getName())
              .toList();
      LOG.info(
          "manifest of network {}/{} is gone: removing {}",
          meta.owner().namespace(),
          meta.owner().name(),
          s.name());
      if (networks.remove(gone, users).isEmpty()) {
        Files.deleteIfExists(
            statusFile("KvmNetwork", meta.owner().namespace(), meta.owner().name()));
      }
    }
  }

  private List<String> domainNames() {
    return libvirt.listDomainNames();
  }

  /**
   * A machine whose manifest was removed while kvmop was not running: its disks and their
   * reclaimPolicy come from the last status file, so Delete and Retain still hold.
   */
  private static KvmMachine stub(String ns, String name, String uid, Path statusFile) {
    KvmMachine m = new KvmMachine();
    m.getMetadata().setNamespace(ns);
    m.getMetadata().setName(name);
    m.getMetadata().setUid(uid);
    m.setSpec(new KvmMachineSpec());
    try {
      if (Files.exists(statusFile)) {
        Map<?, ?> doc = Serialization.unmarshal(Files.readString(statusFile), Map.class);
        KvmMachineStatus st =
            Serialization.jsonMapper().convertValue(doc.get("status"), KvmMachineStatus.class);
        if (st != null && st.disks != null) {
          for (DiskStatus d : st.disks) {
            if (DiskProvisioner.CIDATA.equals(d.name)) {
              continue;
            }
            DiskSpec spec = new DiskSpec();
            spec.name = d.name;
            spec.format = d.backingImage == null ? d.format : null;
            if (d.backingImage != null) {
              spec.image = new ImageSource();
              spec.image.path = d.backingImage;
            }
            spec.reclaimPolicy = d.reclaimPolicy == null ? "Retain" : d.reclaimPolicy;
            m.getSpec().disks.add(spec);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot read {}: volumes of {}/{} are kept: {}", statusFile, ns, name, e.toString());
    }
    return m;
  }

  Path statusFile(String kind, String ns, String name) {
    return statusDir.resolve(kind).resolve(ns).resolve(name + ".yaml");
  }

  /**
   * When kvmop first reported this resource (kubectl's creationTimestamp, for the AGE column): kept
   * from the previous status file of the same uid, else now.
   */
  private String created(Path f, String uid) {
    if (Files.exists(f)) {
      try {
        Map<?, ?> old = Serialization.unmarshal(Files.readString(f), Map.class);
        if (old != null && uid.equals(old.get("uid")) && old.get("created") instanceof String c) {
          return c;
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("cannot read {}: {}", f, e.toString());
      }
    }
    return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }

  private void write(HasMetadata r, String kind) throws IOException {
    Path f = statusFile(kind, r.getMetadata().getNamespace(), r.getMetadata().getName());
    Files.createDirectories(f.getParent());
    Object status = r instanceof KvmNetwork n ? n.getStatus() : ((KvmMachine) r).getStatus();
    Map<String, Object> doc = new java.util.LinkedHashMap<>();
    doc.put("kind", kind);
    doc.put("name", r.getMetadata().getName());
    doc.put("namespace", r.getMetadata().getNamespace());
    doc.put("uid", r.getMetadata().getUid());
    doc.put("created", created(f, r.getMetadata().getUid()));
    doc.put("status", status);
    String yaml = Serialization.asYaml(doc);
    if (!Files.exists(f) || !Files.readString(f).equals(yaml)) {
      Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
      Files.writeString(tmp, yaml);
      Files.move(
          tmp,
          f,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
  }
}
