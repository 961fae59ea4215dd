package io.kvmop.standalone;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.api.CloudInitSpec;
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
import io.kvmop.network.NetworkStatusBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
  private final StatusStore store;

  /** This directory's ownership scope: only what carries it is ours to change or remove. */
  private final String scope;

  private final String node;
  private final LibvirtPort libvirt;
  private final NetworkRealizer networks;
  private final MachineRealizer machines;
  private final io.kvmop.machine.NodePolicy policy;
  private final Clock clock;
  private final Map<String, KvmNetwork> lastNetworks = new HashMap<>();
  private final Map<String, KvmMachine> lastMachines = new HashMap<>();
  private final Map<String, String> specs = new HashMap<>();
  private final Map<String, Long> generations = new HashMap<>();
  private final Map<String, Instant> missingSince = new HashMap<>();

  /** The file each resource came from in the passes so far. */
  private final Map<String, Path> origins = new HashMap<>();

  /** How long a manifest must stay gone before what it declared is removed. */
  static final Duration REMOVAL_GRACE = Duration.ofSeconds(2);

  public StandaloneAgent(
      Path manifests,
      Path statusDir,
      String node,
      LibvirtPort libvirt,
      NetworkRealizer networks,
      MachineRealizer machines,
      io.kvmop.machine.NodePolicy policy,
      Clock clock) {
    this.policy = policy;
    this.manifests = manifests;
    this.statusDir = statusDir;
    this.store = new StatusStore(statusDir);
    this.scope = Manifests.scope(manifests);
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
      NodeNetworkStatus entry =
          networks.realize(n, true, nets, policy.permittedBridges()).orElse(null);
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
              policy,
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
    Map<String, Manifests.Problem> held = held(loaded);
    Duration removing = removeWhatIsGone(nets, vms, loaded, held.keySet(), false);
    markHeld(held);
    loaded.origins().forEach((k, f) -> origins.put(k, f));
    if (removing != null && (recheck == null || removing.compareTo(recheck) < 0)) {
      recheck = removing;
    }
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
    removeWhatIsGone(
        List.of(),
        List.of(),
        new Manifests.Loaded(List.of(), List.of(), List.of(), Map.of()),
        Set.of(),
        true);
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
                                            scope,
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
                                scope,
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
      store.forget(kind);
    }
    return true;
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

  /**
   * Objects with the standalone mark whose manifest is gone: machines first, then networks no
   * domain on its way out still uses. Returns how soon to look again (a shutdown timeout running
   * out raises no event), or null when nothing is in progress.
   */
  private Duration removeWhatIsGone(
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
    Instant now = clock.instant();
    Set<String> missing = new HashSet<>();
    Duration again = null;
    Set<String> machineUids =
        vms.stream().map(m -> m.getMetadata().getUid()).collect(Collectors.toSet());
    Set<String> domainUids = new HashSet<>();
    // libvirt networks used by a domain kvmop keeps or has not finished removing, and by whom
    Map<String, List<String>> usedBy = new HashMap<>();
    for (String name : domainNames()) {
      Optional<DomainState> d = libvirt.findDomain(name);
      if (d.isEmpty()
          || d.get().config().metadata() == null
          || d.get().config().metadata().owner() == null) {
        continue;
      }
      var owner = d.get().config().metadata().owner();
      String uid = Manifests.uid(scope, "KvmMachine", owner.namespace(), owner.name());
      if (!uid.equalsIgnoreCase(d.get().uuid())) {
        continue; // not created by standalone kvmop
      }
      domainUids.add(uid);
      String key = "KvmMachine/" + owner.namespace() + "/" + owner.name();
      boolean stays = machineUids.contains(uid) || held.contains(key);
      if (!stays) {
        Optional<Duration> wait = graceLeft(key, now, atOnce, missing);
        if (wait.isPresent()) {
          again = sooner(again, wait);
          stays = true;
        }
      }
      if (!stays) {
        LOG.info(
            "manifest of machine {}/{} is gone: removing domain {}",
            owner.namespace(),
            owner.name(),
            name);
        Optional<Duration> pending = removeMachine(owner.namespace(), owner.name(), uid);
        again = sooner(again, pending);
        stays = pending.isPresent();
      }
      if (stays
          && d.get().config().devices() != null
          && d.get().config().devices().interfaces() != null) {
        for (var nic : d.get().config().devices().interfaces()) {
          if (nic.source() != null && nic.source().network() != null) {
            usedBy
                .computeIfAbsent(nic.source().network(), k -> new java.util.ArrayList<>())
                .add(owner.namespace() + "/" + owner.name());
          }
        }
      }
    }
    // machines whose domain is gone already (removed by hand, or a run killed after the undefine):
    // whatever is left of them (volumes, seed, log) goes, then their status file
    for (String[] id : statusFiles("KvmMachine")) {
      String uid = Manifests.uid(scope, "KvmMachine", id[0], id[1]);
      String key = "KvmMachine/" + id[0] + "/" + id[1];
      if (machineUids.contains(uid) || domainUids.contains(uid) || held.contains(key)) {
        continue;
      }
      Optional<Duration> wait = graceLeft(key, now, atOnce, missing);
      if (wait.isPresent()) {
        again = sooner(again, wait);
        continue;
      }
      again = sooner(again, removeMachine(id[0], id[1], uid));
    }
    Set<String> networkUids =
        nets.stream().map(n -> n.getMetadata().getUid()).collect(Collectors.toSet());
    Set<String> libvirtNetworkUids = new HashSet<>();
    for (NetworkState s : libvirt.listNetworks()) {
      var meta = s.config().metadata();
      if (meta == null || meta.owner() == null) {
        continue;
      }
      String uid =
          Manifests.uid(scope, "KvmNetwork", meta.owner().namespace(), meta.owner().name());
      if (!uid.equalsIgnoreCase(s.uuid())) {
        continue;
      }
      libvirtNetworkUids.add(uid);
      String key = "KvmNetwork/" + meta.owner().namespace() + "/" + meta.owner().name();
      if (networkUids.contains(uid) || held.contains(key)) {
        continue;
      }
      Optional<Duration> wait = graceLeft(key, now, atOnce, missing);
      if (wait.isPresent()) {
        again = sooner(again, wait);
        continue;
      }
      KvmNetwork gone = new KvmNetwork();
      gone.getMetadata().setNamespace(meta.owner().namespace());
      gone.getMetadata().setName(meta.owner().name());
      gone.getMetadata().setUid(uid);
      gone.setSpec(new KvmNetworkSpec());
      List<String> users = new java.util.ArrayList<>(usedBy.getOrDefault(s.name(), List.of()));
      vms.stream()
          .filter(m -> m.getMetadata().getNamespace().equals(meta.owner().namespace()))
          .filter(
              m ->
                  m.getSpec().interfaces.stream()
                      .anyMatch(i -> meta.owner().name().equals(i.network)))
          .map(m -> m.getMetadata().getNamespace() + "/" + m.getMetadata().getName())
          .filter(u -> !users.contains(u))
          .forEach(users::add);
      LOG.info(
          "manifest of network {}/{} is gone: removing {}",
          meta.owner().namespace(),
          meta.owner().name(),
          s.name());
      // in use: the pass that finishes removing the machine (it comes first) removes it too
      if (networks.remove(gone, users).isEmpty()) {
        store.delete(statusFile("KvmNetwork", meta.owner().namespace(), meta.owner().name()));
      }
    }
    for (String[] id : statusFiles("KvmNetwork")) {
      String uid = Manifests.uid(scope, "KvmNetwork", id[0], id[1]);
      String key = "KvmNetwork/" + id[0] + "/" + id[1];
      if (!networkUids.contains(uid)
          && !libvirtNetworkUids.contains(uid)
          && !held.contains(key)
          && graceLeft(key, now, atOnce, missing).isEmpty()) {
        store.delete(statusFile("KvmNetwork", id[0], id[1]));
      }
    }
    missingSince.keySet().retainAll(missing);
    return again;
  }

  /**
   * What stays as last applied because its document is invalid, with the problem: the held
   * documents, and what an unreadable file declared in the passes before (its origin).
   */
  private Map<String, Manifests.Problem> held(Manifests.Loaded loaded) {
    Map<String, Manifests.Problem> held = new HashMap<>(loaded.held());
    origins.forEach(
        (key, file) -> {
          Manifests.Problem p = loaded.unreadable().get(file);
          if (p != null) {
            held.putIfAbsent(key, p);
          }
        });
    return held;
  }

  /**
   * Marks the status file of each resource kept as last applied with its manifest's problem, so
   * that {@code kvmop get} does not pass its old status off as the edit's; the next good pass
   * rewrites the file without it.
   */
  private void markHeld(Map<String, Manifests.Problem> held) throws IOException {
    for (var e : held.entrySet()) {
      String[] k = e.getKey().split("/", 3);
      if (k.length != 3 || !(k[0].equals("KvmMachine") || k[0].equals("KvmNetwork"))) {
        continue;
      }
      Path f = statusFile(k[0], k[1], k[2]);
      if (store.read(f) == null) {
        continue;
      }
      Map<String, Object> doc =
          new java.util.LinkedHashMap<>(Serialization.unmarshal(store.read(f), Map.class));
      String problem = e.getValue() + " (kept as last applied until it is fixed)";
      if (!problem.equals(doc.get("manifestProblem"))) {
        doc.put("manifestProblem", problem);
        replace(f, Serialization.asYaml(doc));
      }
    }
  }

  /** Writes the file whole or not at all (a reader never sees half of it). */
  private void replace(Path f, String text) throws IOException {
    store.write(f, text);
  }

  /**
   * A manifest seen missing is acted on only once it has stayed missing for {@link #REMOVAL_GRACE}:
   * a file being rewritten (an editor, a git checkout) is briefly absent or empty.
   */
  private Optional<Duration> graceLeft(String key, Instant now, boolean atOnce, Set<String> seen) {
    if (atOnce) {
      return Optional.empty();
    }
    seen.add(key);
    Instant since = missingSince.computeIfAbsent(key, k -> now);
    Duration left = Duration.between(now, since.plus(REMOVAL_GRACE));
    return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
  }

  /** Removes a machine whose manifest is gone; empty once nothing of it is left. */
  private Optional<Duration> removeMachine(String ns, String name, String uid) throws IOException {
    KvmMachine gone =
        lastMachines.getOrDefault(
            "KvmMachine/" + ns + "/" + name,
            stub(ns, name, uid, statusFile("KvmMachine", ns, name)));
    List<io.kvmop.status.Happened> released = new java.util.ArrayList<>();
    Optional<Duration> pending = machines.remove(gone, released);
    released.forEach(h -> LOG.info("{}/{}: {}", ns, name, h.message()));
    if (pending.isEmpty()) {
      store.delete(statusFile("KvmMachine", ns, name));
    }
    return pending;
  }

  private static String key(HasMetadata r) {
    return r.getKind() + "/" + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }

  /** Namespace and name of each status file of this kind. */
  private List<String[]> statusFiles(String kind) throws IOException {
    return store.list(kind);
  }

  private static Duration sooner(Duration a, Optional<Duration> b) {
    return b.isEmpty() || (a != null && a.compareTo(b.get()) <= 0) ? a : b.get();
  }

  private List<String> domainNames() {
    return libvirt.listDomainNames();
  }

  /**
   * A machine whose manifest was removed while kvmop was not running: its spec as last applied
   * comes from its status file (older files: disks and reclaimPolicy from status), so Delete and
   * Retain and the shutdown timeout still hold; without a file every volume is kept.
   */
  private KvmMachine stub(String ns, String name, String uid, Path statusFile) {
    KvmMachine m = new KvmMachine();
    m.getMetadata().setNamespace(ns);
    m.getMetadata().setName(name);
    m.getMetadata().setUid(uid);
    m.setSpec(new KvmMachineSpec());
    try {
      String text = store.read(statusFile);
      if (text != null) {
        Map<?, ?> doc = Serialization.unmarshal(text, Map.class);
        if (doc.get("spec") != null) {
          // as last applied: shutdownTimeout, every disk with its reclaimPolicy, the seed
          m.setSpec(Serialization.jsonMapper().convertValue(doc.get("spec"), KvmMachineSpec.class));
          return m;
        }
        // a status file written before specs were kept: disks and reclaimPolicy from status
        KvmMachineStatus st =
            Serialization.jsonMapper().convertValue(doc.get("status"), KvmMachineStatus.class);
        if (st != null && st.disks != null) {
          for (DiskStatus d : st.disks) {
            if (DiskProvisioner.CIDATA.equals(d.name)) {
              m.getSpec().cloudInit = new CloudInitSpec(); // so that its seed goes too
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
    return store.file(kind, ns, name);
  }

  /**
   * When kvmop first reported this resource (kubectl's creationTimestamp, for the AGE column): kept
   * from the previous status file of the same uid, else now.
   */
  private String created(Path f, String uid) {
    if (Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try {
        Map<?, ?> old = Serialization.unmarshal(store.read(f), Map.class);
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
    Object status = r instanceof KvmNetwork n ? n.getStatus() : ((KvmMachine) r).getStatus();
    Map<String, Object> doc = new java.util.LinkedHashMap<>();
    doc.put("kind", kind);
    doc.put("name", r.getMetadata().getName());
    doc.put("namespace", r.getMetadata().getNamespace());
    doc.put("uid", r.getMetadata().getUid());
    doc.put("created", created(f, r.getMetadata().getUid()));
    // the spec last applied: what a removal uses when the manifest went while kvmop was down
    doc.put("spec", r instanceof KvmNetwork n ? n.getSpec() : ((KvmMachine) r).getSpec());
    doc.put("status", status);
    String yaml = Serialization.asYaml(doc);
    try {
      if (!yaml.equals(store.read(f))) {
        store.write(f, yaml);
      }
    } catch (IOException e) {
      // one status file that cannot be written (a symlink planted under .status) never stops
      // the pass for the other resources
      LOG.warn(
          "cannot write the status of {} {}: {}", kind, r.getMetadata().getName(), e.getMessage());
    }
  }
}
