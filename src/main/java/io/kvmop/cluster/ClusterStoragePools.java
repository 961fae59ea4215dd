package io.kvmop.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kvmop.api.CephKeyRef;
import io.kvmop.api.KvmStoragePool;
import io.kvmop.disk.DiskProvisioner;
import io.kvmop.storage.StorageCatalog;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The admin's KvmStoragePools as the agent's machine controller watches them, and the Ceph keys
 * they name, read from Secrets in kvmop's own namespace only (a tenant's namespace is never read
 * for a key). Until the watch is connected, no pool is known.
 */
public final class ClusterStoragePools implements StorageCatalog {
  private final DiskProvisioner.Secrets secrets;
  private final String namespace;
  private volatile Supplier<Stream<KvmStoragePool>> cache = Stream::empty;

  /**
   * @param namespace kvmop's own namespace, where the admin keeps the Ceph clients' keys
   */
  public ClusterStoragePools(KubernetesClient client, String namespace) {
    this(ClusterSecrets.of(client), namespace);
  }

  ClusterStoragePools(DiskProvisioner.Secrets secrets, String namespace) {
    this.secrets = secrets;
    this.namespace = Objects.requireNonNull(namespace, "namespace");
  }

  /** Reads pools from {@code cache} (an informer's) from now on. */
  public void use(Supplier<Stream<KvmStoragePool>> cache) {
    this.cache = Objects.requireNonNull(cache, "cache");
  }

  @Override
  public List<KvmStoragePool> pools() {
    return cache.get().toList();
  }

  @Override
  public Optional<String> key(CephKeyRef ref) {
    if (ref == null || ref.name == null) {
      return Optional.empty();
    }
    return secrets.get(namespace, ref.name, ref.keyOrDefault());
  }

  @Override
  public String keyPlace() {
    return "namespace " + namespace;
  }
}
