package io.kvmop.standalone;

import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.disk.DiskProvisioner;
import java.util.Map;
import java.util.Optional;

/** The snapshots of the manifests' last pass, with their status: where standalone clones look. */
final class LastSnapshots implements DiskProvisioner.SnapshotLookup {
  private volatile Map<String, KvmMachineSnapshot> last = Map.of();

  void replace(Map<String, KvmMachineSnapshot> byNamespacedName) {
    last = Map.copyOf(byNamespacedName);
  }

  @Override
  public Optional<KvmMachineSnapshot> find(String namespace, String name) {
    return Optional.ofNullable(last.get(namespace + "/" + name));
  }
}
