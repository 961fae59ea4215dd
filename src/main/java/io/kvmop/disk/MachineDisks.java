package io.kvmop.disk;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.DiskStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmStoragePool;
import io.kvmop.storage.RbdDisk;
import io.kvmop.storage.StorageCatalog;
import io.kvmop.storage.StorageChoice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where a machine's disks were made, as its status says and its spec implies. */
final class MachineDisks {
  private MachineDisks() {}

  /** The disk's last status (where its volume was made), if status has one. */
  static Optional<DiskStatus> lastStatus(KvmMachine m, String disk) {
    if (m.getStatus() == null || m.getStatus().disks == null) {
      return Optional.empty();
    }
    return m.getStatus().disks.stream().filter(d -> disk.equals(d.name)).findFirst();
  }

  /**
   * The machine's disks on rbd pools, by pool: those status says were made there, and those spec
   * puts there (an image made before status was written is found by its name).
   */
  static Map<KvmStoragePool, List<DiskStatus>> onRbd(
      KvmMachine m, String domain, StorageCatalog catalog) {
    Map<KvmStoragePool, List<DiskStatus>> out = new LinkedHashMap<>();
    List<DiskStatus> seen = new ArrayList<>();
    if (m.getStatus() != null && m.getStatus().disks != null) {
      for (DiskStatus d : m.getStatus().disks) {
        if (d.storage != null) {
          catalog.find(d.storage).filter(KvmStoragePool::rbd).ifPresent(p -> add(out, p, d));
          seen.add(d);
        }
      }
    }
    List<DiskSpec> disks = m.getSpec().disks == null ? List.of() : m.getSpec().disks;
    for (DiskSpec d : disks) {
      if (seen.stream().anyMatch(s -> d.name.equals(s.name))) {
        continue;
      }
      StorageChoice.Choice c =
          StorageChoice.choose(
              m.getMetadata().getNamespace(), d, d.name, catalog.pools(), Optional.empty());
      if (c.blocker() == null && c.where().rbd()) {
        DiskStatus s = new DiskStatus();
        s.name = d.name;
        s.storage = c.where().name();
        s.volume = RbdDisk.imageName(domain, d.name, m.getMetadata().getUid());
        s.reclaimPolicy = d.retain() ? "Retain" : "Delete";
        add(out, c.where().pool(), s);
      }
    }
    return out;
  }

  private static void add(
      Map<KvmStoragePool, List<DiskStatus>> out, KvmStoragePool p, DiskStatus d) {
    out.computeIfAbsent(p, k -> new ArrayList<>()).add(d);
  }
}
