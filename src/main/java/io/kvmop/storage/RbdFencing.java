package io.kvmop.storage;

import io.kvmop.api.DiskStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmStoragePool;
import io.kvmop.ceph.CephError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Storage fencing before a machine starts on another node: every Ceph client that still has one of
 * its RBD images open (the dead or cut-off node's QEMU) is blocklisted, so that even a node that is
 * only partitioned can write to them no more. Only the machine's own images are looked at (those
 * its status records); a client is cut off by its instance (address and nonce), never a whole host.
 */
public final class RbdFencing {
  /** How long a fenced client stays cut off: far longer than any partition kvmop waits out. */
  public static final Duration EXPIRY = Duration.ofDays(30);

  private final StorageCatalog catalog;
  private final RbdAccess access;

  public RbdFencing(StorageCatalog catalog, RbdAccess.Ports ports) {
    this.catalog = catalog;
    this.access = new RbdAccess(catalog, ports);
  }

  /** The clients cut off, or why fencing could not be done (nothing may start elsewhere then). */
  public record Result(List<String> fenced, String problem) {}

  public Result fence(KvmMachine m) {
    List<DiskStatus> disks =
        m.getStatus() == null || m.getStatus().disks == null ? List.of() : m.getStatus().disks;
    Set<String> fenced = new LinkedHashSet<>();
    for (DiskStatus d : disks) {
      if (d.storage == null || d.volume == null) {
        continue;
      }
      Optional<KvmStoragePool> pool = catalog.find(d.storage);
      if (pool.isEmpty() || !pool.get().rbd() || pool.get().getSpec().rbd == null) {
        if (pool.isEmpty()) {
          return new Result(
              List.of(),
              "disk "
                  + d.name
                  + " is on KvmStoragePool "
                  + d.storage
                  + ", which this agent does not see: its image's writers cannot be cut off");
        }
        continue;
      }
      RbdAccess.Result reached = access.reach(pool.get());
      if (reached.blocker() != null) {
        return new Result(List.of(), reached.blocker().message());
      }
      try {
        for (String client : reached.reached().images().openers(d.volume)) {
          reached.reached().images().blocklist(client, EXPIRY);
          fenced.add(client + " (image " + d.volume + ")");
        }
      } catch (CephError | IllegalArgumentException e) {
        return new Result(
            new ArrayList<>(fenced),
            "cutting off the writers of image " + d.volume + ": " + e.getMessage());
      }
    }
    return new Result(new ArrayList<>(fenced), null);
  }
}
