package io.kvmop.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.CephKeyRef;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A standalone node admin's pools and keys, from the --storage-pools directory only. */
class PoolDirectoryTest {
  @TempDir Path dir;

  @Test
  void poolsAreReadFromTheDirectoryWithAStableUidAndReadAgainWhenAFileChanges() throws Exception {
    Files.writeString(
        dir.resolve("ceph.yaml"),
        """
        apiVersion: kvmop.io/v1alpha1
        kind: KvmStoragePool
        metadata: {name: ceph}
        spec:
          type: rbd
          rbd: {monitors: ["10.0.0.1:6789"], pool: vms, secretRef: {name: ceph-kvmop}}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: other}
        """);
    Files.writeString(dir.resolve("broken.yaml"), "kind: KvmStoragePool\nspec: [unclosed\n");
    PoolDirectory pools = new PoolDirectory(dir);
    assertThat(pools.pools()).singleElement().satisfies(p -> assertThat(p.rbd()).isTrue());
    String uid = pools.find("ceph").orElseThrow().getMetadata().getUid();
    assertThat(new PoolDirectory(dir).find("ceph").orElseThrow().getMetadata().getUid())
        .as("the same on every run")
        .isEqualTo(uid);
    Files.writeString(
        dir.resolve("local.yaml"),
        "apiVersion: kvmop.io/v1alpha1\nkind: KvmStoragePool\nmetadata: {name: local}\n"
            + "spec: {type: directory, namespaces: [default]}\n");
    assertThat(pools.pools())
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("ceph", "local");
  }

  @Test
  void aKeyIsAFileUnderKeysAndNoRefLeavesThatDirectory() throws Exception {
    Files.createDirectories(dir.resolve("keys/ceph-kvmop"));
    Files.writeString(dir.resolve("keys/ceph-kvmop/key"), "AQBkey==\n");
    Files.writeString(dir.resolve("secret"), "not a key");
    PoolDirectory pools = new PoolDirectory(dir);
    assertThat(pools.key(new CephKeyRef("ceph-kvmop", null))).contains("AQBkey==");
    assertThat(pools.key(new CephKeyRef("ceph-kvmop", "other"))).isEmpty();
    assertThat(pools.key(new CephKeyRef("..", "secret"))).isEmpty();
    assertThat(pools.key(new CephKeyRef("ceph-kvmop", ".."))).isEmpty();
    assertThat(pools.key(new CephKeyRef("ceph-kvmop", "../../secret"))).isEmpty();
    assertThat(pools.keyPlace()).endsWith("keys");
  }
}
