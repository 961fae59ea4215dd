package io.kvmop.disk;

import io.kvmop.api.CloudInitSpec;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.DiskStatus;
import io.kvmop.api.ImageSource;
import io.kvmop.api.KvmMachine;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtErrors;
import io.kvmop.libvirt.StoragePort;
import io.kvmop.libvirt.VolumeState;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.network.Blocker;
import io.kvmop.status.Happened;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A machine's disks on its node: checks and inspects base images (downloading them when given by
 * URL), keeps kvmop's pool, creates and grows the machine's volumes through libvirt, and writes the
 * cloud-init seed. Returns the domain's disk devices, or why they cannot be had yet.
 */
public final class DiskProvisioner {
  public static final String DOWNLOADING = "Downloading";
  public static final String INVALID_IMAGE = "InvalidImage";
  public static final String IMAGE_PATH_REFUSED = "ImagePathRefused";
  public static final String SECRET_NOT_FOUND = "SecretNotFound";
  public static final String CIDATA = "cidata";

  private final StoragePort storage;
  private final StorageConfig config;
  private final ImageCache cache;
  private final PoolListing listing;
  private final PoolKeeper pool;

  /** Checksums of path images already verified, by path, size and modification time. */
  private final Map<String, String> verified = new ConcurrentHashMap<>();

  public DiskProvisioner(StoragePort storage, StorageConfig config, ImageCache cache) {
    this.storage = storage;
    this.config = config;
    this.cache = cache;
    this.listing = new PoolListing(storage, config.poolName());
    this.pool = new PoolKeeper(storage, config);
  }

  /**
   * The provisioner of a node: with its image cache, and its pool repaired as soon as libvirt
   * reports it stopped or undefined.
   */
  public static DiskProvisioner onNode(
      io.kvmop.libvirt.LibvirtPort libvirt, StorageConfig config, java.time.Clock clock) {
    DiskProvisioner p =
        new DiskProvisioner(
            libvirt.storage(), config, new ImageCache(config, libvirt.storage(), clock));
    libvirt.addListener(new PoolWatcher(p.pool(), config.poolName()));
    return p;
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
      return blocker != null && DOWNLOADING.equals(blocker.reason());
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
    String uid = m.getMetadata().getUid();
    // 1. images: checked, inspected, downloaded; nothing on the host changes before they pass
    List<DesiredDisk> desired = new ArrayList<>();
    Map<String, Integer> perBus = new HashMap<>();
    Blocker waiting = null;
    for (int i = 0; i < disks.size(); i++) {
      DiskSpec d = disks.get(i);
      String target = target(d.busOrDefault(), perBus);
      long size = Sizes.bytes(d.size).orElse(0L);
      String format = formatOf(d);
      String volume = volumeName(in.domainName(), d.name, uid, format);
      if (d.image == null) {
        desired.add(
            new DesiredDisk(
                d.name,
                volume,
                config.volumePath(volume),
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
      Resolved r = resolve(d.image, "spec.disks[" + i + "] (" + d.name + ")", in);
      if (r.blocker != null) {
        if (!DOWNLOADING.equals(r.blocker.reason())) {
          return Result.blocked(r.blocker, List.of(), List.of());
        }
        waiting = waiting == null ? r.blocker : waiting;
        continue;
      }
      desired.add(
          new DesiredDisk(
              d.name,
              volume,
              config.volumePath(volume),
              "qcow2",
              Math.max(size, r.info.virtualSize()),
              d.size != null,
              r.path,
              r.info.format().wireName(),
              d.busOrDefault(),
              target,
              d.retain()));
    }
    CloudInitSeed seed = null;
    if (ci != null) {
      try {
        Optional<String> userData = userData(m, ci, in.secrets());
        if (userData == null) {
          return Result.blocked(
              new Blocker(
                  SECRET_NOT_FOUND,
                  "spec.cloudInit.userDataSecretRef: Secret "
                      + m.getMetadata().getNamespace()
                      + "/"
                      + ci.userDataSecretRef.name
                      + " has no key "
                      + ci.userDataSecretRef.keyOrDefault()
                      + " (or does not exist); create it, kvmop picks it up"),
              List.of(),
              List.of());
        }
        seed =
            CloudInitSeed.build(
                uid,
                m.getMetadata().getName(),
                userData.orElse(null),
                ci.networkData,
                ci.sshAuthorizedKeys);
      } catch (CloudInitSeed.InvalidSeed e) {
        return Result.blocked(
            new Blocker(Blocker.INVALID_SPEC, e.getMessage()), List.of(), List.of());
      }
    }
    if (waiting != null) {
      return Result.blocked(waiting, List.of(), List.of());
    }
    // 2. the pool, then the volumes
    List<Happened> done = new ArrayList<>();
    PoolKeeper.Result p = pool.ensure();
    p.repairs().forEach(r -> done.add(new Happened("StoragePoolRepaired", r)));
    if (p.blocker() != null) {
      return Result.blocked(p.blocker(), List.of(), done);
    }
    Blocker tooLarge = largerThanPool(desired, p.pool());
    if (tooLarge != null) {
      return Result.blocked(tooLarge, List.of(), done);
    }
    try {
      Map<String, VolumeState> observed = new HashMap<>();
      for (DesiredDisk d : desired) {
        storage
            .findVolume(config.poolName(), d.volume())
            .ifPresent(v -> observed.put(d.volume(), v));
      }
      DiskPlanner.Plan plan = DiskPlanner.plan(in.domainName(), in.running(), desired, observed);
      if (plan.blocker() != null) {
        return Result.blocked(plan.blocker(), status(desired, observed), done);
      }
      for (DiskAction a : plan.actions()) {
        done.add(apply(a));
      }
      if (!plan.actions().isEmpty()) {
        for (DesiredDisk d : desired) {
          storage
              .findVolume(config.poolName(), d.volume())
              .ifPresent(v -> observed.put(d.volume(), v));
        }
      }
      orphans(in.domainName(), uid, desired, done);
      List<DiskStatus> status = status(desired, observed);
      List<DomainXml.Disk> devices = new ArrayList<>();
      for (DesiredDisk d : desired) {
        devices.add(DomainXml.Disk.file(d.path(), d.format(), d.target(), d.bus(), false));
      }
      String instanceId = null;
      if (seed != null) {
        String seedPath = writeSeed(in.domainName(), seed, in.attached(), done);
        String target = target("virtio", perBus);
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
    } catch (LibvirtError e) {
      LibvirtErrors.Explained x = LibvirtErrors.explain(e);
      return Result.blocked(new Blocker(x.reason(), x.message()), List.of(), done);
    } catch (IOException e) {
      return Result.blocked(
          new Blocker(
              "HostError",
              "cannot write the cloud-init seed into "
                  + config.poolPath()
                  + ": "
                  + e.getMessage()
                  + "; the agent needs that directory writable at the same path"),
          List.of(),
          done);
    }
  }

  /** Volumes already reported as no longer in the spec, per machine uid. */
  private final Map<String, Set<String>> orphansReported = new ConcurrentHashMap<>();

  /** The volumes each machine wanted at its last scan: the pool is listed again only on change. */
  private final Map<String, Set<String>> scannedFor = new ConcurrentHashMap<>();

  /**
   * A disk removed from spec.disks keeps its volume (it may hold data): said once, in an event,
   * with the command that deletes it.
   */
  private void orphans(String domain, String uid, List<DesiredDisk> desired, List<Happened> done) {
    String mark = "-" + uid.replace("-", "").substring(0, 8) + ".";
    Set<String> wanted = new java.util.HashSet<>();
    desired.forEach(d -> wanted.add(d.volume()));
    if (wanted.equals(scannedFor.put(uid, wanted))) {
      return;
    }
    Set<String> reported = orphansReported.computeIfAbsent(uid, k -> ConcurrentHashMap.newKeySet());
    for (String v : storage.listVolumes(config.poolName())) {
      if (v.startsWith(domain + "-")
          && v.contains(mark)
          && !wanted.contains(v)
          && reported.add(v)) {
        done.add(
            new Happened(
                "VolumeKept",
                "volume "
                    + v
                    + " belongs to a disk no longer in spec.disks; kvmop keeps it at "
                    + config.volumePath(v)
                    + " (it may hold data): delete it with virsh vol-delete --pool "
                    + config.poolName()
                    + " "
                    + v
                    + ", or add the disk back"));
      }
    }
  }

  private Happened apply(DiskAction a) {
    String pool = config.poolName();
    if (a instanceof DiskAction.Create c) {
      storage.createVolume(pool, c.xml());
      return new Happened(
          "VolumeCreated",
          "created volume "
              + c.xml().name()
              + " ("
              + Sizes.human(c.xml().capacityBytes())
              + (c.xml().backingPath() == null ? "" : ", overlay on " + c.xml().backingPath())
              + ") for disk "
              + c.disk());
    }
    if (a instanceof DiskAction.Grow g) {
      storage.resizeVolume(pool, g.volume(), g.to());
      return new Happened(
          "DiskGrown",
          "grew disk "
              + g.disk()
              + " from "
              + Sizes.human(g.from())
              + " to "
              + Sizes.human(g.to()));
    }
    DiskAction.GrowLive g = (DiskAction.GrowLive) a;
    storage.resizeDomainDisk(g.domain(), g.target(), g.to());
    return new Happened(
        "DiskGrown",
        "grew disk "
            + g.disk()
            + " ("
            + g.target()
            + ") of the running machine from "
            + Sizes.human(g.from())
            + " to "
            + Sizes.human(g.to()));
  }

  private List<DiskStatus> status(List<DesiredDisk> desired, Map<String, VolumeState> observed) {
    List<DiskStatus> out = new ArrayList<>();
    for (DesiredDisk d : desired) {
      VolumeState v = observed.get(d.volume());
      if (v == null) {
        continue;
      }
      DiskStatus s = new DiskStatus();
      s.name = d.name();
      s.volume = v.name();
      s.path = v.path();
      s.format = v.format();
      s.capacityBytes = v.capacity();
      s.backingImage = v.backingPath();
      s.target = d.target();
      s.reclaimPolicy = d.retain() ? "Retain" : "Delete";
      out.add(s);
    }
    return out;
  }

  /** A base image: its file on the node and what inspecting it found, or why not. */
  private record Resolved(String path, ImageInfo info, Blocker blocker) {}

  private Resolved resolve(ImageSource image, String field, Input in) {
    if (image.url != null) {
      ImageCache.State s =
          cache.get(
              image.url, image.sha256, in.machine().getMetadata().getNamespace(), in.downloads());
      if (s instanceof ImageCache.Downloading d) {
        return new Resolved(null, null, new Blocker(DOWNLOADING, field + ": " + d.describe()));
      }
      if (s instanceof ImageCache.Failed f) {
        return new Resolved(null, null, new Blocker(f.reason(), field + ": " + f.message()));
      }
      String nodePath = ((ImageCache.Ready) s).path();
      try (FileChannel ch = FileChannel.open(Path.of(nodePath), StandardOpenOption.READ)) {
        return checked(image, field, nodePath, ImageInspector.inspect(ch, nodePath), null);
      } catch (IOException e) {
        return new Resolved(
            null, null, new Blocker(INVALID_IMAGE, field + ": cannot read " + nodePath + ": " + e));
      }
    }
    try (AllowedFile file =
        AllowedFile.open(image.path, in.imageDirectories(), config.poolPath(), config.hostRoot())) {
      String nodePath = file.nodePath();
      ImageInfo info;
      try (FileChannel ch = file.read()) {
        info = ImageInspector.inspect(ch, nodePath);
      }
      return checked(image, field, nodePath, info, file);
    } catch (AllowedFile.Refused r) {
      return new Resolved(
          null,
          null,
          new Blocker(
              IMAGE_PATH_REFUSED,
              field
                  + ".image.path: "
                  + r.getMessage()
                  + " (the node's KvmHost spec.imageDirectories lists where images may be)"));
    } catch (IOException e) {
      return new Resolved(
          null,
          null,
          new Blocker(
              INVALID_IMAGE, field + ": cannot read " + image.path + ": " + e.getMessage()));
    }
  }

  /** The inspected image against what the spec declares (format, and sha256 for a path). */
  private Resolved checked(
      ImageSource image, String field, String nodePath, ImageInfo info, AllowedFile file)
      throws IOException {
    if (!info.usable()) {
      return new Resolved(
          null,
          null,
          new Blocker(
              INVALID_IMAGE, field + ": " + nodePath + " cannot be used: " + info.refusal()));
    }
    if (image.format != null && !image.format.equals(info.format().wireName())) {
      return new Resolved(
          null,
          null,
          new Blocker(
              INVALID_IMAGE,
              field
                  + ".image.format is "
                  + image.format
                  + " but "
                  + nodePath
                  + " is "
                  + info.format().wireName()
                  + "; correct the format (or leave it out to have it detected)"));
    }
    if (file != null && image.sha256 != null) {
      String got = sha256(nodePath, file.handle());
      if (!got.equalsIgnoreCase(image.sha256)) {
        // the hash of what is there is not reported: a checksum must not read a file back
        return new Resolved(
            null,
            null,
            new Blocker(
                "ImageChecksumMismatch",
                field
                    + ": checksum mismatch: "
                    + nodePath
                    + " does not have the declared sha256 "
                    + image.sha256.toLowerCase(Locale.ROOT)));
      }
    }
    return new Resolved(nodePath, info, null);
  }

  private String sha256(String nodePath, Path file) throws IOException {
    String key =
        nodePath + ":" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
    String known = verified.get(key);
    if (known != null) {
      return known;
    }
    try (InputStream in =
        new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      String hex = HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
      verified.put(key, hex);
      return hex;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The user-data: inline, from the Secret, or none; null when the Secret key is missing. */
  private static Optional<String> userData(KvmMachine m, CloudInitSpec ci, Secrets secrets) {
    if (ci.userDataSecretRef == null) {
      return Optional.ofNullable(ci.userData);
    }
    Optional<String> v =
        secrets.get(
            m.getMetadata().getNamespace(),
            ci.userDataSecretRef.name,
            ci.userDataSecretRef.keyOrDefault());
    return v.isPresent() ? v : null;
  }

  /**
   * Writes the seed under a name carrying its hash, so a changed seed is a new file (the running
   * guest keeps reading the old one until it restarts), and removes this machine's older seeds that
   * no definition uses any more.
   */
  private String writeSeed(
      String domain, CloudInitSeed seed, Set<String> attached, List<Happened> done)
      throws IOException {
    String name = seedPrefix(domain) + seed.hash() + ".iso";
    Path target = Path.of(config.volumePath(name));
    boolean changed = false;
    if (!Files.isRegularFile(target)) {
      changed = true;
      Path tmp = Scratch.reserve(config.scratchDir(), name + ".part");
      SeedIso.write(seed.files(), tmp);
      restrict(tmp);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Scratch.removeIfEmpty(config.scratchDir());
      done.add(
          new Happened(
              "CloudInitSeedWritten",
              "wrote cloud-init seed " + target + " (instance-id " + seed.instanceId() + ")"));
    }
    try (var files = Files.list(Path.of(config.poolPath()))) {
      for (Path old :
          files
              .filter(f -> f.getFileName().toString().startsWith(seedPrefix(domain)))
              .filter(f -> f.getFileName().toString().endsWith(".iso"))
              .filter(f -> !f.equals(target) && !attached.contains(f.toString()))
              .toList()) {
        changed |= Files.deleteIfExists(old);
      }
    }
    if (changed) {
      listing.refresh();
    } else {
      listing.ensureListed(name); // a run may have died between writing it and the refresh
    }
    return target.toString();
  }

  /**
   * A thin volume may be larger than the space free now, but never larger than the whole pool: it
   * could never be filled, and the guest would fail its writes long before.
   */
  private static Blocker largerThanPool(
      List<DesiredDisk> desired, io.kvmop.libvirt.PoolState pool) {
    if (pool == null || pool.capacity() <= 0) {
      return null;
    }
    for (DesiredDisk d : desired) {
      if (d.capacity() > pool.capacity()) {
        return new Blocker(
            Blocker.INVALID_SPEC,
            "spec.disks["
                + d.name()
                + "].size "
                + Sizes.human(d.capacity())
                + " is larger than the node's whole storage pool "
                + pool.name()
                + " ("
                + Sizes.human(pool.capacity())
                + "); choose a smaller size");
      }
    }
    return null;
  }

  /**
   * A seed holds user-data (from a Secret, perhaps): not world-readable. Readable by root and by
   * the kvm group QEMU runs in (libvirt relabels it for QEMU when it starts the domain anyway).
   */
  static void restrict(Path file) throws IOException {
    var view =
        Files.getFileAttributeView(file, java.nio.file.attribute.PosixFileAttributeView.class);
    if (view == null) {
      return;
    }
    try {
      view.setGroup(
          file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("kvm"));
      view.setPermissions(java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
    } catch (java.nio.file.attribute.UserPrincipalNotFoundException | SecurityException e) {
      view.setPermissions(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
  }

  static String seedPrefix(String domain) {
    return domain + "-" + CIDATA + "-";
  }

  /** A disk's volume format: an overlay on an image is always qcow2; a blank one as declared. */
  static String formatOf(DiskSpec d) {
    return d.image != null || d.format == null ? "qcow2" : d.format;
  }

  /** The volume of one disk: domain, disk name and the machine's uid, so it is this machine's. */
  public static String volumeName(String domain, String disk, String uid, String format) {
    return domain
        + "-"
        + disk
        + "-"
        + uid.replace("-", "").substring(0, 8)
        + ("raw".equals(format) ? ".img" : ".qcow2");
  }

  private static String target(String bus, Map<String, Integer> perBus) {
    String prefix = "virtio".equals(bus) ? "vd" : "sd";
    int n = perBus.merge(prefix, 1, Integer::sum) - 1;
    return prefix + (char) ('a' + n);
  }

  /**
   * Deletes downloaded images no volume of the pool has been backed by for the configured time (see
   * {@link ImageCache#collectGarbage}); runs at most every ten minutes.
   */
  public List<String> collectGarbage() {
    java.time.Instant now = java.time.Instant.now();
    java.time.Instant last = lastCollection;
    if (last != null && now.isBefore(last.plus(GC_EVERY))) {
      return List.of();
    }
    lastCollection = now;
    Set<String> inUse = new java.util.HashSet<>();
    for (String v : storage.listVolumes(config.poolName())) {
      if (v.startsWith("kvmop-") && !v.startsWith(ImageCache.PREFIX)) {
        storage
            .findVolume(config.poolName(), v)
            .map(VolumeState::backingPath)
            .ifPresent(inUse::add);
      }
    }
    return cache.collectGarbage(inUse);
  }

  private static final java.time.Duration GC_EVERY = java.time.Duration.ofMinutes(10);
  private volatile java.time.Instant lastCollection;

  /** What happened to each disk's volume on machine deletion, by reclaimPolicy. */
  public List<Happened> release(KvmMachine m, String domain) {
    List<Happened> out = new ArrayList<>();
    orphansReported.remove(m.getMetadata().getUid());
    scannedFor.remove(m.getMetadata().getUid());
    List<DiskSpec> disks = m.getSpec().disks == null ? List.of() : m.getSpec().disks;
    String uid = m.getMetadata().getUid();
    if (disks.isEmpty() && m.getSpec().cloudInit == null) {
      return out;
    }
    for (DiskSpec d : disks) {
      String volume = volumeName(domain, d.name, uid, formatOf(d));
      Optional<VolumeState> v = storage.findVolume(config.poolName(), volume);
      if (v.isEmpty()) {
        continue;
      }
      if (d.retain()) {
        out.add(
            new Happened(
                "VolumeRetained",
                "kept disk "
                    + d.name
                    + " (reclaimPolicy Retain): volume "
                    + volume
                    + " in pool "
                    + config.poolName()
                    + " at "
                    + v.get().path()
                    + "; delete it with virsh vol-delete --pool "
                    + config.poolName()
                    + " "
                    + volume));
      } else {
        storage.deleteVolume(config.poolName(), volume);
        out.add(new Happened("VolumeDeleted", "deleted volume " + volume + " of disk " + d.name));
      }
    }
    try (var files = Files.list(Path.of(config.poolPath()))) {
      for (Path seed :
          files.filter(f -> f.getFileName().toString().startsWith(seedPrefix(domain))).toList()) {
        Files.deleteIfExists(seed);
      }
    } catch (IOException e) {
      // no pool directory visible here: nothing of ours to remove
    }
    listing.refresh();
    return out;
  }
}
