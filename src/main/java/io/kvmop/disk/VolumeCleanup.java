package io.kvmop.disk;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.libvirt.StoragePort;
import io.kvmop.libvirt.VolumeState;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a machine's volumes leave behind: a disk removed from the spec (kept, and said once), the
 * volumes and seeds on deletion (by reclaimPolicy), and downloaded images no volume uses.
 */
final class VolumeCleanup {
  private final StoragePort storage;
  private final StorageConfig config;
  private final PoolListing listing;
  private final ImageCache cache;
  private final java.time.Clock clock;

  /** Volumes already reported as no longer in the spec, per machine uid. */
  private final Map<String, Set<String>> orphansReported = new ConcurrentHashMap<>();

  /** The volumes each machine wanted at its last scan: the pool is listed again only on change. */
  private final Map<String, Set<String>> scannedFor = new ConcurrentHashMap<>();

  VolumeCleanup(
      StoragePort storage,
      StorageConfig config,
      PoolListing listing,
      ImageCache cache,
      java.time.Clock clock) {
    this.storage = storage;
    this.config = config;
    this.listing = listing;
    this.cache = cache;
    this.clock = clock;
  }

  /**
   * A disk removed from spec.disks keeps its volume (it may hold data): said once, in an event,
   * with the command that deletes it.
   */
  void orphans(String domain, String uid, List<DesiredDisk> desired, List<Happened> done) {
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
                Reasons.VOLUME_KEPT,
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

  /**
   * Deletes downloaded images no volume of the pool has been backed by for the configured time (see
   * {@link ImageCache#collectGarbage}); runs at most every ten minutes.
   */
  public List<String> collectGarbage() {
    java.time.Instant now = clock.instant();
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
    return release(m, domain, true);
  }

  /**
   * The machine's volumes and seed on a node it left, or never reached (a live migration): copies,
   * deleted whatever their reclaimPolicy, since the machine and its disks live on elsewhere.
   */
  public List<Happened> discardCopies(KvmMachine m, String domain) {
    return release(m, domain, false);
  }

  /**
   * The files a migration's target prepared for a machine that is gone before it arrived: only
   * those in kvmop's pool named after its domain (volumes also carrying its uid), deleted; its seed
   * only when {@code seedsToo} (no domain of that name uses one here).
   */
  public List<Happened> discardFiles(
      String domain, String uid, List<String> files, boolean seedsToo) {
    List<Happened> out = new ArrayList<>();
    String uid8 = uid.replace("-", "").substring(0, 8);
    Path pool = Path.of(config.poolPath());
    for (String f : files) {
      Path p = Path.of(f);
      String name = p.getFileName().toString();
      if (!pool.equals(p.getParent()) || !name.startsWith(domain + "-")) {
        continue; // not a file kvmop names for this domain: never touched
      }
      if (name.startsWith(DiskNames.seedPrefix(domain))) {
        if (!seedsToo) {
          continue; // a domain of that name is here: its seed may be this one
        }
        try {
          if (Files.deleteIfExists(p)) {
            out.add(new Happened(Reasons.VOLUME_DELETED, "deleted prepared seed " + name));
          }
        } catch (IOException e) {
          // a leftover seed is reported by no one and harms no one; the pool's GC keeps it
        }
      } else if (name.contains("-" + uid8 + ".")
          && storage.findVolume(config.poolName(), name).isPresent()) {
        storage.deleteVolume(config.poolName(), name);
        out.add(new Happened(Reasons.VOLUME_DELETED, "deleted prepared volume " + name));
      }
    }
    listing.refresh();
    return out;
  }

  private List<Happened> release(KvmMachine m, String domain, boolean byPolicy) {
    List<Happened> out = new ArrayList<>();
    orphansReported.remove(m.getMetadata().getUid());
    scannedFor.remove(m.getMetadata().getUid());
    List<DiskSpec> disks = m.getSpec().disks == null ? List.of() : m.getSpec().disks;
    String uid = m.getMetadata().getUid();
    if (disks.isEmpty() && m.getSpec().cloudInit == null) {
      return out;
    }
    // no pool (never made, as for a machine deleted while its image downloaded, or removed by the
    // admin): libvirt has no volume of it to delete, and a deletion must not wait for one
    boolean pool = storage.findPool(config.poolName()).isPresent();
    for (DiskSpec d : pool ? disks : List.<DiskSpec>of()) {
      String volume = DiskNames.volumeName(domain, d.name, uid, DiskNames.formatOf(d));
      Optional<VolumeState> v = storage.findVolume(config.poolName(), volume);
      if (v.isEmpty()) {
        continue;
      }
      if (byPolicy && d.retain()) {
        out.add(
            new Happened(
                Reasons.VOLUME_RETAINED,
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
        out.add(
            new Happened(
                Reasons.VOLUME_DELETED,
                (byPolicy ? "deleted volume " : "deleted this node's copy, volume ")
                    + volume
                    + " of disk "
                    + d.name));
      }
    }
    try (var files = Files.list(Path.of(config.poolPath()))) {
      for (Path seed :
          files
              .filter(f -> f.getFileName().toString().startsWith(DiskNames.seedPrefix(domain)))
              .toList()) {
        Files.deleteIfExists(seed);
      }
    } catch (IOException e) {
      // no pool directory visible here: nothing of ours to remove
    }
    listing.refresh();
    return out;
  }
}
