package io.kvmop.ceph;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The images of one RBD pool (and RADOS namespace), as much as kvmop uses: list, create, import,
 * snapshot, clone, grow, mark, rename and remove. Every method throws {@link CephError} with the
 * tool's exit code and its last words, never the key.
 */
public interface RbdPort {
  /** One image of the pool: its size, and the snapshot it is a clone of, if it is one. */
  record Image(String name, long size, Optional<Parent> parent, List<Snapshot> snapshots) {
    public Optional<Snapshot> snapshot(String name) {
      return snapshots.stream().filter(s -> s.name().equals(name)).findFirst();
    }
  }

  /** The image and snapshot a clone stands on. */
  record Parent(String image, String snapshot) {}

  /** One snapshot of an image: its name, whether it is protected, the image's size in it. */
  record Snapshot(String name, boolean isProtected, long size) {}

  /** Every image of the pool's namespace, with parents and snapshots, in one call. */
  List<Image> images();

  /**
   * Why the pool takes no writes now (its quota reached, or its OSDs full), or empty. Ceph holds a
   * write to a full pool until it has room again instead of refusing it, so kvmop asks first.
   */
  Optional<String> full();

  /** The image's metadata, where kvmop's mark is. */
  Map<String, String> meta(String image);

  void setMeta(String image, String key, String value);

  /** Removes one metadata key of the image (absent already: nothing happens). */
  void removeMeta(String image, String key);

  /** A new blank image of {@code bytes}. */
  void create(String image, long bytes);

  /**
   * Writes {@code file} (qcow2 or raw) into the existing image {@code image}, which must be at
   * least the file's virtual size.
   */
  void write(Path file, String format, String image);

  /** Creates snapshot {@code snap} of {@code image} and protects it (clones need it protected). */
  void snapshot(String image, String snap);

  /** Protects an existing snapshot. */
  void protect(String image, String snap);

  /** Lifts the protection of a snapshot with no clones, so that it can be removed. */
  void unprotect(String image, String snap);

  /** Removes snapshot {@code snap} of {@code image} (it must be unprotected). */
  void removeSnapshot(String image, String snap);

  /**
   * Writes {@code image} back to its state in {@code snap}, size included; the image must not be
   * open for writing.
   */
  void rollback(String image, String snap);

  /** Copies into a clone what it reads from its parent, so that it stands alone. */
  void flatten(String image);

  /** A copy-on-write clone {@code child} of {@code image@snap}. */
  void clone(String image, String snap, String child);

  /** Grows {@code image} to {@code bytes}; never shrinks. */
  void grow(String image, long bytes);

  /** Bytes the image holds of its own (not its parent's). */
  long used(String image);

  void rename(String from, String to);

  /** Removes {@code image} (it must have no snapshots). */
  void remove(String image);

  /**
   * The Ceph clients that have the image open (its watchers), as address/nonce: each a QEMU or tool
   * that may write to it.
   */
  List<String> openers(String image);

  /**
   * Cuts one client off the whole cluster for {@code expiry}: every write it sends from now on is
   * refused (what profile rbd lets a client do to another, to take over a dead writer's image).
   */
  void blocklist(String client, java.time.Duration expiry);
}
