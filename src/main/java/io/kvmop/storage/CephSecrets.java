package io.kvmop.storage;

import io.kvmop.api.KvmStoragePool;
import io.kvmop.ids.Hashes;
import io.kvmop.libvirt.SecretPort;
import io.kvmop.libvirt.SecretState;
import io.kvmop.libvirt.xml.SecretXml;
import io.kvmop.status.Blocker;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The libvirt secret that holds one KvmStoragePool's Ceph key on this node, which the domains' RBD
 * disks authenticate with: its UUID derived from the pool's uid, kvmop's mark in its description,
 * its value set when the key is new to this agent and never read back. A secret of that UUID
 * without the mark is somebody else's: reported, never touched.
 */
final class CephSecrets {
  static final String MARK = "kvmop: Ceph key of KvmStoragePool ";

  private final SecretPort secrets;

  /** UUID to the hash of the key last set there by this agent. */
  private final Map<String, String> set = new ConcurrentHashMap<>();

  CephSecrets(SecretPort secrets) {
    this.secrets = secrets;
  }

  /** The secret's UUID for {@code pool}: the same on every node, and only ever this pool's. */
  static String uuid(KvmStoragePool pool) {
    return UUID.nameUUIDFromBytes(
            ("kvmop-ceph-key:" + pool.getMetadata().getUid()).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /** The secret is defined and holds {@code key}; or why it cannot be. */
  Optional<Blocker> ensure(KvmStoragePool pool, byte[] key, List<Happened> done) {
    String uuid = uuid(pool);
    String name = pool.getMetadata().getName();
    Optional<SecretState> found = secrets.findSecret(uuid);
    if (found.isPresent()
        && (found.get().description() == null || !found.get().description().startsWith(MARK))) {
      return Optional.of(
          new Blocker(
              Reasons.STORAGE_UNAVAILABLE,
              "libvirt secret "
                  + uuid
                  + " is not kvmop's (its description lacks kvmop's mark), so kvmop cannot keep"
                  + " KvmStoragePool "
                  + name
                  + "'s key in it; remove it on this node (virsh secret-undefine "
                  + uuid
                  + ") if nothing uses it"));
    }
    if (found.isEmpty()) {
      set.remove(uuid);
      secrets.defineSecret(SecretXml.ceph(uuid, MARK + name, "kvmop/" + name));
    }
    String hash = Hashes.sha256(HexFormat.of().formatHex(key));
    if (!hash.equals(set.get(uuid))) {
      secrets.setSecretValue(uuid, key);
      set.put(uuid, hash);
      done.add(
          new Happened(
              Reasons.CEPH_KEY_SET,
              "libvirt secret " + uuid + " holds KvmStoragePool " + name + "'s Ceph key"));
    }
    return Optional.empty();
  }
}
