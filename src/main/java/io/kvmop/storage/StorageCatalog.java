package io.kvmop.storage;

import io.kvmop.api.CephKeyRef;
import io.kvmop.api.KvmStoragePool;
import java.util.List;
import java.util.Optional;

/**
 * The KvmStoragePools a node sees (the cluster's cache, or standalone's admin directory), and the
 * Ceph keys they name, read from kvmop's own namespace only: a tenant's Secret is never one.
 */
public interface StorageCatalog {
  StorageCatalog NONE =
      new StorageCatalog() {
        @Override
        public List<KvmStoragePool> pools() {
          return List.of();
        }

        @Override
        public Optional<String> key(CephKeyRef ref) {
          return Optional.empty();
        }
      };

  List<KvmStoragePool> pools();

  /**
   * The key {@code ref} names, in kvmop's own namespace; empty when the Secret or key is absent.
   */
  Optional<String> key(CephKeyRef ref);

  /** Where keys are read from, as a message names it: e.g. namespace kvmop-system. */
  default String keyPlace() {
    return "kvmop's namespace";
  }

  default Optional<KvmStoragePool> find(String name) {
    return pools().stream().filter(p -> name.equals(p.getMetadata().getName())).findFirst();
  }
}
