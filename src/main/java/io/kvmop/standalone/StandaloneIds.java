package io.kvmop.standalone;

import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;

/** The identity of standalone resources: uids derived from the manifest directory and name. */
public final class StandaloneIds {
  private StandaloneIds() {}

  /**
   * Without an API server, identity comes from the manifest: namespace (default "default"), name,
   * and a uid derived from kind, namespace and name, so it is the same after every restart.
   */
  static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T identify(
      T r, String kind, String scope) {
    var m = r.getMetadata();
    if (m.getNamespace() == null) {
      m.setNamespace("default");
    }
    m.setUid(uid(scope, kind, m.getNamespace(), m.getName()));
    return r;
  }

  /**
   * The uid of a standalone resource: derived from the manifest directory (its real path, which
   * nothing inside the directory can change), kind, namespace and name. So what one directory
   * created is never taken for another's (nor for a cluster agent's, whose uids are random): {@code
   * run} and {@code delete} on one directory never touch what another created.
   */
  public static String uid(String scope, String kind, String namespace, String name) {
    return UUID.nameUUIDFromBytes(
            ("kvmop-standalone/" + scope + "/" + kind + "/" + namespace + "/" + name)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .toString();
  }

  /** The ownership scope of a manifest directory: its real path. */
  public static String scope(Path dir) {
    try {
      return dir.toRealPath().toString();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot resolve the manifest directory " + dir, e);
    }
  }
}
