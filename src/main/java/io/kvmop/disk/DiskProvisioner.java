package io.kvmop.disk;

import io.kvmop.api.CloudInitSpec;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.DiskStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmStoragePool;
import io.kvmop.api.Quantities;
import io.kvmop.libvirt.DomainLocks;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtErrors;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.StoragePort;
import io.kvmop.libvirt.VolumeState;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.status.Blocker;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import io.kvmop.storage.RbdAccess;
import io.kvmop.storage.RbdDisk;
import io.kvmop.storage.RbdVolumes;
import io.kvmop.storage.StorageCatalog;
import io.kvmop.storage.StorageChoice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A machine's disks on its node: checks and inspects base images (downloading them when given by
 * URL), keeps kvmop's pool, creates and grows the machine's volumes through libvirt, and writes the
 * cloud-init seed. Returns the domain's disk devices, or why they cannot be had yet.
 */
public final class DiskProvisioner {
  public static final String CIDATA = "cidata";

  private final StoragePort storage;
  private final StorageConfig config;
  private final ImageCache cache;
  private final PoolListing listing;
  private final PoolKeeper pool;
  private final BaseImages images;
  private final Seeds seeds;
  private final VolumeCleanup cleanup;
  private final DomainLocks locks = new DomainLocks();
  private SnapshotClones clones;
  private SnapshotLookup snapshots = SnapshotLookup.NONE;
  private StorageCatalog catalog = StorageCatalog.NONE;
  private RbdVolumes rbd;

  public DiskProvisioner(StoragePort storage, StorageConfig config, ImageCache cache) {
    this.storage = storage;
    this.config = config;
    this.cache = cache;
    this.listing = new PoolListing(storage, config.poolName());
    this.pool = new PoolKeeper(storage, config);
    this.images = new BaseImages(config, cache);
    this.seeds = new Seeds(config, listing);
    this.cleanup = new VolumeCleanup(storage, config, listing, cache, cache.clock());
  }

  /**
   * The provisioner of a node: with its image cache, and its pool repaired as soon as libvirt
   * reports it stopped or undefined.
   */
  public static DiskProvisioner onNode(
      String node,
      LibvirtPort libvirt,
      StorageConfig config,
      java.time.Clock clock,
      SnapshotLookup snapshots,
      StorageCatalog catalog,
      RbdAccess.Ports ports) {
    DiskProvisioner p =
        new DiskProvisioner(
            libvirt.storage(), config, new ImageCache(config, libvirt.storage(), clock));
    p.catalog = catalog;
    p.rbd = new RbdVolumes(node, libvirt, catalog, ports, clock);
    libvirt.events().addListener(new PoolWatcher(p.pool(), config.poolName()));
    p.clones = new SnapshotClones(libvirt, config);
    p.clones.use(node, snapshots::find);
    p.snapshots = snapshots;
    return p;
  }

  /** The node's per-domain locks (a clone's copy holds its source's). */
  public DomainLocks locks() {
    return locks;
  }

  /**
   * Finds a KvmMachineSnapshot by namespace and name, for disks cloned from one: the cluster's
   * cache, or the manifests' last pass.
   */
  @FunctionalInterface
  public interface SnapshotLookup {
    SnapshotLookup NONE = (namespace, name) -> Optional.empty();

    Optional<KvmMachineSnapshot> find(String namespace, String name);
  }

  public StorageConfig config() {
    return config;
  }

  public ImageCache cache() {
    return cache;
  }

  public PoolKeeper pool() {
    return pool;
  }

  /** Snapshots of machines whose disks are RBD images. */
  public io.kvmop.storage.RbdSnapshots rbdSnapshots() {
    return rbd.snapshots();
  }

  /** Reads a Secret key in the machine's namespace; empty when the Secret or key is missing. */
  @FunctionalInterface
  public interface Secrets {
    Optional<String> get(String namespace, String name, String key);

    Secrets NONE = (ns, n, k) -> Optional.empty();
  }

  /**
   * @param running whether the domain runs now (disks then grow live)
   * @param attached files the domain's definitions use now (a seed in use is never deleted)
   */
  public record Input(
      KvmMachine machine,
      String domainName,
      boolean running,
      Set<String> attached,
      List<String> imageDirectories,
      DownloadPolicy downloads,
      Secrets secrets) {}

  /**
   * The devices for the domain (null when blocked), the status of each disk, the seed's
   * instance-id, why it is blocked or still waiting, and what was done.
   */
  public record Result(
      List<DomainXml.Disk> devices,
      List<DiskStatus> status,
      String instanceId,
      Blocker blocker,
      List<Happened> done) {
    public boolean waiting() {
      return blocker != null && Reasons.DOWNLOADING.equals(blocker.reason());
    }

    static Result blocked(Blocker b, List<DiskStatus> status, List<Happened> done) {
      return new Result(null, status, null, b, done);
    }
  }

  public Result provision(Input in) {
    KvmMachine m = in.machine();
    List<DiskSpec> disks = m.getSpec().disks == null ? List.of() : m.getSpec().disks;
    CloudInitSpec ci = m.getSpec().cloudInit;
    if (disks.isEmpty() && ci == null) {
      return new Result(List.of(), null, null, null, List.of());
    }
    // 1. images: checked, inspected, downloaded; nothing on the host changes before they pass
    Map<String, Integer> perBus = new HashMap<>();
    Layout layout = layout(in, disks, perBus);
    if (layout.blocker() != null && !Reasons.DOWNLOADING.equals(layout.blocker().reason())) {
      forgetDownloads(m.getMetadata().getUid()); // refused: it holds no download slot
      return Result.blocked(layout.blocker(), List.of(), List.of());
    }
    Seeds.Built seed = ci == null ? null : Seeds.build(m, ci, in.secrets());
    if (seed != null && seed.blocker() != null) {
      forgetDownloads(m.getMetadata().getUid());
      return Result.blocked(seed.blocker(), List.of(), List.of());
    }
    cache.settle(m.getMetadata().getUid(), DiskNames.downloads(disks));
    if (layout.blocker() != null) {
      return Result.blocked(layout.blocker(), List.of(), List.of()); // still downloading
    }
    // 2. the pool, then the volumes
    List<Happened> done = new ArrayList<>();
    PoolKeeper.Result p = pool.ensure();
    p.repairs().forEach(r -> done.add(new Happened(Reasons.STORAGE_POOL_REPAIRED, r)));
    if (p.blocker() != null) {
      return Result.blocked(p.blocker(), List.of(), done);
    }
    Optional<Blocker> tooLarge = VolumeChanges.largerThanPool(layout.disks(), p.pool());
    if (tooLarge.isPresent()) {
      return Result.blocked(tooLarge.get(), List.of(), done);
    }
    try {
      return volumes(in, layout, seed == null ? null : seed.seed(), perBus, done);
    } catch (LibvirtError e) {
      LibvirtErrors.Explained x = LibvirtErrors.explain(e);
      return Result.blocked(new Blocker(x.reason(), x.message()), List.of(), done);
    } catch (IOException e) {
      return Result.blocked(
          new Blocker(
              Reasons.HOST_ERROR,
              "cannot write the cloud-init seed into "
                  + config.poolPath()
                  + ": "
                  + e.getMessage()
                  + "; the agent needs that directory writable at the same path"),
          List.of(),
          done);
    }
  }

  /** The disks as volumes of the pool, or the first reason they cannot be (yet). */
  private record Layout(
      List<DesiredDisk> disks,
      Blocker blocker,
      Map<String, SnapshotClones.Source> copies,
      Map<KvmStoragePool, List<RbdDisk>> rbd) {
    Layout(List<DesiredDisk> disks, Blocker blocker) {
      this(disks, blocker, Map.of(), Map.of());
    }
  }

  private Layout layout(Input in, List<DiskSpec> disks, Map<String, Integer> perBus) {
    String uid = in.machine().getMetadata().getUid();
    List<DesiredDisk> desired = new ArrayList<>();
    Map<String, SnapshotClones.Source> copies = new HashMap<>();
    Map<KvmStoragePool, List<RbdDisk>> onRbd = new LinkedHashMap<>();
    Blocker waiting = null;
    for (int i = 0; i < disks.size(); i++) {
      DiskSpec d = disks.get(i);
      String target = DiskNames.target(d.busOrDefault(), perBus);
      StorageChoice.Choice where =
          StorageChoice.forMachine(
              in.machine(),
              d,
              "spec.disks[" + i + "] (" + d.name + ")",
              catalog.pools(),
              MachineDisks.lastStatus(in.machine(), d.name));
      if (where.blocker() != null) {
        return new Layout(desired, where.blocker());
      }
      if (where.where().rbd()) {
        RbdDiskLayout.Laid laid =
            RbdDiskLayout.lay(in, d, i, target, images, config, where.where().name(), snapshots);
        if (laid.blocker() != null && !Reasons.DOWNLOADING.equals(laid.blocker().reason())) {
          return new Layout(desired, laid.blocker());
        }
        if (laid.blocker() != null) {
          waiting = waiting == null ? laid.blocker() : waiting;
          continue;
        }
        onRbd.computeIfAbsent(where.where().pool(), k -> new ArrayList<>()).add(laid.disk());
        continue;
      }
      long size = Quantities.bytes(d.size).orElse(0L);
      String format = DiskNames.formatOf(d);
      String volume = DiskNames.volumeName(in.domainName(), d.name, uid, format);
      String path = config.volumePath(volume);
      if (d.snapshot != null) {
        String field = "spec.disks[" + i + "] (" + d.name + ")";
        if (clones == null) {
          return new Layout(
              desired,
              new Blocker(
                  Reasons.INVALID_SPEC, field + ".snapshot: clones are not available here"));
        }
        SnapshotClones.Laid laid =
            clones.layOut(
                in.machine(),
                d,
                field,
                new DesiredDisk(
                    d.name,
                    volume,
                    path,
                    "qcow2",
                    size,
                    d.size != null,
                    null,
                    null,
                    d.busOrDefault(),
                    target,
                    d.retain()),
                copies);
        if (laid.blocker() != null) {
          return new Layout(desired, laid.blocker());
        }
        desired.add(laid.disk());
        continue;
      }
      if (d.image == null) {
        desired.add(
            new DesiredDisk(
                d.name,
                volume,
                path,
                format,
                size,
                true,
                null,
                null,
                d.busOrDefault(),
                target,
                d.retain()));
        continue;
      }
      BaseImages.Resolved r = images.resolve(d.image, "spec.disks[" + i + "] (" + d.name + ")", in);
      if (r.blocker() != null) {
        if (!Reasons.DOWNLOADING.equals(r.blocker().reason())) {
          return new Layout(desired, r.blocker());
        }
        waiting = waiting == null ? r.blocker() : waiting;
        continue;
      }
      desired.add(
          new DesiredDisk(
              d.name,
              volume,
              path,
              "qcow2",
              Math.max(size, r.info().virtualSize()),
              d.size != null,
              r.path(),
              r.info().format().wireName(),
              d.busOrDefault(),
              target,
              d.retain()));
    }
    return new Layout(desired, waiting, copies, onRbd);
  }

  /** Plans and applies the volumes, writes the seed, and reports the devices. */
  private Result volumes(
      Input in, Layout layout, CloudInitSeed seed, Map<String, Integer> perBus, List<Happened> done)
      throws IOException {
    List<DesiredDisk> desired = layout.disks();
    Map<String, SnapshotClones.Source> copies = layout.copies();
    int before = done.size();
    Blocker copyFailed = copies.isEmpty() ? null : clones.copyAll(desired, copies, locks, done);
    if (done.size() > before) {
      listing.refresh();
    }
    if (copyFailed != null) {
      return Result.blocked(copyFailed, List.of(), done);
    }
    Map<String, VolumeState> observed = observe(desired);
    DiskPlanner.Plan plan = DiskPlanner.plan(in.domainName(), in.running(), desired, observed);
    if (plan.blocker() != null) {
      return Result.blocked(plan.blocker(), VolumeChanges.status(desired, observed), done);
    }
    for (DiskAction a : plan.actions()) {
      done.add(VolumeChanges.apply(storage, config.poolName(), a));
    }
    if (!plan.actions().isEmpty()) {
      observed = observe(desired);
    }
    cleanup.orphans(in.domainName(), in.machine().getMetadata().getUid(), desired, done);
    List<DiskStatus> status = VolumeChanges.status(desired, observed);
    Map<String, DomainXml.Disk> byName = new HashMap<>();
    for (DesiredDisk d : desired) {
      byName.put(d.name(), DomainXml.Disk.file(d.path(), d.format(), d.target(), d.bus(), false));
    }
    for (Map.Entry<KvmStoragePool, List<RbdDisk>> e : layout.rbd().entrySet()) {
      RbdVolumes.Result r =
          rbd.ensure(e.getKey(), in.machine(), in.domainName(), in.running(), e.getValue());
      done.addAll(r.done());
      status.addAll(r.status());
      if (r.blocker() != null) {
        return Result.blocked(r.blocker(), status, done);
      }
      byName.putAll(r.devices());
    }
    // a pool whose last disk of the machine left spec: its image is kept, and said as elsewhere
    MachineDisks.onRbd(in.machine(), in.domainName(), catalog).keySet().stream()
        .filter(p -> layout.rbd().keySet().stream().noneMatch(q -> sameUid(p, q)))
        .forEach(p -> done.addAll(rbd.kept(p, in.machine(), in.domainName())));
    List<DomainXml.Disk> devices = new ArrayList<>();
    for (DiskSpec d :
        in.machine().getSpec().disks == null ? List.<DiskSpec>of() : in.machine().getSpec().disks) {
      devices.add(byName.get(d.name));
    }
    String instanceId = null;
    if (seed != null) {
      String seedPath = seeds.write(in.domainName(), seed, in.attached(), done);
      String target = DiskNames.target("virtio", perBus);
      devices.add(DomainXml.Disk.file(seedPath, "raw", target, "virtio", true));
      DiskStatus s = new DiskStatus();
      s.name = CIDATA;
      s.volume = Path.of(seedPath).getFileName().toString();
      s.path = seedPath;
      s.format = "raw";
      s.target = target;
      status.add(s);
      instanceId = seed.instanceId();
    }
    return new Result(List.copyOf(devices), status, instanceId, null, done);
  }

  private Map<String, VolumeState> observe(List<DesiredDisk> desired) {
    Map<String, VolumeState> observed = new HashMap<>();
    for (DesiredDisk d : desired) {
      storage.findVolume(config.poolName(), d.volume()).ifPresent(v -> observed.put(d.volume(), v));
    }
    return observed;
  }

  /**
   * Deletes downloaded images no volume of the pool has been backed by for the configured time (see
   * {@link ImageCache#collectGarbage}); runs at most every ten minutes.
   */
  public List<String> collectGarbage() {
    return cleanup.collectGarbage();
  }

  /** What happened to each disk's volume on machine deletion, by reclaimPolicy. */
  public List<Happened> release(KvmMachine m, String domain) {
    forgetDownloads(m.getMetadata().getUid());
    List<Happened> out = new ArrayList<>(cleanup.release(m, domain));
    MachineDisks.onRbd(m, domain, catalog)
        .forEach((pool, disks) -> out.addAll(rbd.release(pool, m, disks)));
    return out;
  }

  /**
   * A machine deleted while its node is dead, released from another node: its images on rbd pools
   * by reclaimPolicy (only those marked as its own). Empty when some disk is not on an rbd pool:
   * that one is its dead node's to remove, so the machine waits for it.
   */
  public Optional<List<Happened>> releaseShared(KvmMachine m, String domain) {
    var onRbd = MachineDisks.onRbd(m, domain, catalog);
    int shared = onRbd.values().stream().mapToInt(List::size).sum();
    // a disposable disk's volume holds nothing to keep: its node removes it when back
    int all =
        m.getSpec().disks == null
            ? 0
            : (int) m.getSpec().disks.stream().filter(d -> !d.disposable()).count();
    if (shared < all) {
      return Optional.empty();
    }
    List<Happened> out = new ArrayList<>();
    onRbd.forEach((pool, disks) -> out.addAll(rbd.release(pool, m, disks)));
    return Optional.of(out);
  }

  /**
   * The machine wants no download any more (refused, or removed): one nobody else wants is
   * cancelled, and its slot is free.
   */
  public void forgetDownloads(String uid) {
    cache.settle(uid, Map.of());
  }

  /** What a migration's target prepared for a machine deleted before it arrived. */
  public List<Happened> discardFiles(
      String domain, String uid, List<String> files, boolean seedsToo) {
    return cleanup.discardFiles(domain, uid, files, seedsToo);
  }

  /** A migrated machine's copies on a node it left or never reached: deleted, whatever policy. */
  public List<Happened> discardCopies(KvmMachine m, String domain) {
    return cleanup.discardCopies(m, domain);
  }

  private static boolean sameUid(KvmStoragePool a, KvmStoragePool b) {
    return java.util.Objects.equals(a.getMetadata().getUid(), b.getMetadata().getUid())
        && a.getMetadata().getName().equals(b.getMetadata().getName());
  }
}
