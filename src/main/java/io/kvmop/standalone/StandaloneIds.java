package io.kvmop.standalone;

import java.io.IOException;
import java.nio.file.Files;
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

  /** The file in the status directory that keeps the directory's scope and its last real path. */
  static final String SCOPE_FILE = "directory-scope";

  /**
   * The ownership scope of a manifest directory: its real path when kvmop first ran on it, kept in
   * its status directory, so that a directory moved (or mounted elsewhere) with its status still
   * owns what it created. A status directory copied along with a directory that still exists where
   * it was is refused: both would own the same domains.
   */
  static String scope(Path dir, StatusStore store) throws IOException {
    String real = scope(dir);
    Path f = store.root().resolve(SCOPE_FILE);
    String kept = store.read(f);
    if (kept == null || kept.isBlank()) {
      store.write(f, real + "\n" + real + "\n");
      return real;
    }
    String[] lines = kept.split("\n");
    String scope = lines[0];
    String last = lines.length > 1 ? lines[1] : scope;
    if (!last.equals(real)) {
      Path old = Path.of(last);
      if (Files.isDirectory(old) && !Files.isSameFile(old, dir)) {
        throw new IllegalStateException(
            "the status directory "
                + store.root()
                + " was made for the manifest directory "
                + last
                + ", which still exists: a copy would own the same domains and networks; run kvmop"
                + " there, or remove "
                + store.root()
                + " here to start this directory afresh");
      }
      LoggerHolder.LOG.info(
          "the manifest directory moved from {} to {}: it still owns what it created there",
          last,
          real);
      store.write(f, scope + "\n" + real + "\n");
    }
    return scope;
  }

  private static final class LoggerHolder {
    static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StandaloneIds.class);
  }

  /** The real path of a manifest directory. */
  public static String scope(Path dir) {
    try {
      return dir.toRealPath().toString();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot resolve the manifest directory " + dir, e);
    }
  }
}
