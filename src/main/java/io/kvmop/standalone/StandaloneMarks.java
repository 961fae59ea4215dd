package io.kvmop.standalone;

import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.libvirt.xml.NetworkXml;
import java.util.Optional;

/**
 * Whether a libvirt object is this manifest directory's: it carries kvmop's mark, and its UUID is
 * the uid this directory derives for the owner the mark names (see {@link Manifests#uid}). Anything
 * else (another directory's, a cluster agent's, a person's) is never changed or removed.
 */
final class StandaloneMarks {
  private final String scope;

  StandaloneMarks(String scope) {
    this.scope = scope;
  }

  /** The resource a libvirt object belongs to. */
  record Owner(String kind, String namespace, String name, String uid) {
    String key() {
      return kind + "/" + namespace + "/" + name;
    }
  }

  String uid(String kind, String namespace, String name) {
    return StandaloneIds.uid(scope, kind, namespace, name);
  }

  Optional<Owner> of(DomainState d) {
    DomainXml.Metadata meta = d.config() == null ? null : d.config().metadata();
    return meta == null || meta.owner() == null
        ? Optional.empty()
        : ours("KvmMachine", meta.owner().namespace(), meta.owner().name(), d.uuid());
  }

  Optional<Owner> of(NetworkState s) {
    NetworkXml.Metadata meta = s.config() == null ? null : s.config().metadata();
    return meta == null || meta.owner() == null
        ? Optional.empty()
        : ours("KvmNetwork", meta.owner().namespace(), meta.owner().name(), s.uuid());
  }

  private Optional<Owner> ours(String kind, String namespace, String name, String uuid) {
    String uid = uid(kind, namespace, name);
    return uid.equalsIgnoreCase(uuid)
        ? Optional.of(new Owner(kind, namespace, name, uid))
        : Optional.empty();
  }
}
