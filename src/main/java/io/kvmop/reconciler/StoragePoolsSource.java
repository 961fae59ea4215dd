package io.kvmop.reconciler;

import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmStoragePool;
import io.kvmop.cluster.ClusterStoragePools;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The admin's KvmStoragePools for the machine controller: one watch, whose cache is the catalog
 * disks are placed from, and which wakes the machines a pool's change can concern (a disk names it
 * in spec or status, or it is a default) when its spec or deletion changes.
 */
final class StoragePoolsSource {
  private StoragePoolsSource() {}

  static InformerEventSource<KvmStoragePool, KvmMachine> create(
      EventSourceContext<KvmMachine> ctx, ClusterStoragePools catalog) {
    var source =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(KvmStoragePool.class, KvmMachine.class)
                .withSecondaryToPrimaryMapper(
                    (KvmStoragePool p) ->
                        ctx.getPrimaryCache()
                            .list()
                            .filter(m -> uses(m, p))
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper((KvmMachine m) -> Set.<ResourceID>of())
                .withOnUpdateFilter(StoragePoolsSource::matters)
                .build(),
            ctx);
    catalog.use(() -> source.list());
    return source;
  }

  /**
   * Whether a pool's change can concern a machine: a disk of it names the pool, or it is a default.
   */
  static boolean uses(KvmMachine m, KvmStoragePool p) {
    if (p.getSpec() != null && p.getSpec().defaultPool()) {
      return true;
    }
    String name = p.getMetadata().getName();
    Stream<String> named =
        m.getSpec() == null || m.getSpec().disks == null
            ? Stream.empty()
            : m.getSpec().disks.stream().map(d -> d.storage);
    Stream<String> made =
        m.getStatus() == null || m.getStatus().disks == null
            ? Stream.empty()
            : m.getStatus().disks.stream().map(d -> d.storage);
    return Stream.concat(named, made).anyMatch(name::equals);
  }

  static boolean matters(KvmStoragePool now, KvmStoragePool before) {
    return !Objects.equals(now.getMetadata().getGeneration(), before.getMetadata().getGeneration())
        || !Objects.equals(
            now.getMetadata().getDeletionTimestamp(), before.getMetadata().getDeletionTimestamp());
  }
}
