package io.kvmop.disk;

import io.kvmop.validation.ContainedPath;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where kvmop keeps volumes on a node: a libvirt directory pool named {@code poolName} at {@code
 * poolPath} (visible to the agent at the same path, for the seed and download files it writes), the
 * node's filesystem root as the agent sees it ({@code hostRoot}, for image path checks), and how
 * long a downloaded image stays cached once no volume uses it.
 */
public record StorageConfig(
    String poolName, String poolPath, Path hostRoot, Duration cacheUnusedFor) {
  public static final String DEFAULT_POOL = "kvmop";

  /** The pool's directory: volumes, seeds and downloads, never an image directory. */
  public static final String DEFAULT_PATH = "/var/lib/kvmop/pool";

  /** The default image directory (KvmHost spec.imageDirectories, standalone --image-dir). */
  public static final String DEFAULT_IMAGES = "/var/lib/kvmop/images";

  public static StorageConfig defaults() {
    return new StorageConfig(DEFAULT_POOL, DEFAULT_PATH, Path.of("/"), Duration.ofHours(24));
  }

  /** Downloads and seeds are written here first, then renamed into the pool: never half a file. */
  public Path scratchDir() {
    return Path.of(poolPath, ".kvmop-partial");
  }

  /** A file of the pool; a name that is not one plain path segment is refused. */
  public String volumePath(String volume) {
    return ContainedPath.resolve(Path.of(poolPath), volume).toString();
  }
}
