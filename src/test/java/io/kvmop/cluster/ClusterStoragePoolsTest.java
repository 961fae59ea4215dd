package io.kvmop.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kvmop.api.CephKeyRef;
import io.kvmop.api.KvmStoragePool;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The catalog reads pools from the watch it is given, and keys from kvmop's namespace only. */
class ClusterStoragePoolsTest {
  @Test
  void noPoolIsKnownUntilTheWatchIsConnectedThenItsCacheIsRead() {
    var catalog = new ClusterStoragePools((ns, n, k) -> Optional.empty(), "kvmop-system");
    assertThat(catalog.pools()).isEmpty();
    KvmStoragePool p = new KvmStoragePool();
    p.setMetadata(new ObjectMetaBuilder().withName("ceph").build());
    List<KvmStoragePool> cache = new ArrayList<>();
    catalog.use(cache::stream);
    assertThat(catalog.find("ceph")).isEmpty();
    cache.add(p);
    assertThat(catalog.find("ceph")).containsSame(p);
  }

  @Test
  void aKeyIsReadFromKvmopsOwnNamespaceOnlyWithTheDefaultKeyName() {
    List<String> asked = new ArrayList<>();
    var catalog =
        new ClusterStoragePools(
            (ns, n, k) -> {
              asked.add(ns + "/" + n + "#" + k);
              return Optional.of("AQB-key");
            },
            "kvmop-system");
    catalog.use(Stream::empty);
    assertThat(catalog.key(new CephKeyRef("ceph-kvmop", null))).contains("AQB-key");
    assertThat(catalog.key(new CephKeyRef("other", "k2"))).contains("AQB-key");
    assertThat(catalog.key(null)).isEmpty();
    assertThat(asked).containsExactly("kvmop-system/ceph-kvmop#key", "kvmop-system/other#k2");
    assertThat(catalog.keyPlace()).isEqualTo("namespace kvmop-system");
  }
}
