package io.kvmop.disk;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.Quantities;
import io.kvmop.status.Blocker;
import io.kvmop.status.Reasons;
import io.kvmop.storage.ImageFile;
import io.kvmop.storage.RbdDisk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One disk declared on an rbd pool, as the RBD image it should be: its image file checked on this
 * node as for a directory pool (allowed path or download, format, checksum, size caps), and what
 * identifies the file's content, which names its base image in the pool.
 */
final class RbdDiskLayout {
  private RbdDiskLayout() {}

  /** The disk, or why it cannot be laid out (yet: a download). */
  record Laid(RbdDisk disk, Blocker blocker) {}

  static Laid lay(
      DiskProvisioner.Input in,
      DiskSpec d,
      int index,
      String target,
      BaseImages images,
      StorageConfig config,
      String pool,
      DiskProvisioner.SnapshotLookup snapshots) {
    String field = "spec.disks[" + index + "] (" + d.name + ")";
    String image = RbdDisk.imageName(in.domainName(), d.name, in.machine().getMetadata().getUid());
    long size = Quantities.bytes(d.size).orElse(0L);
    if (d.snapshot != null) {
      RbdDisk.FromSnapshot from =
          RbdClones.resolve(in.machine().getMetadata().getNamespace(), d, field, pool, snapshots);
      // why it cannot be cloned (yet) matters only while its image does not exist: said then
      return new Laid(
          new RbdDisk(
              d.name,
              image,
              Math.max(size, from.capacity()),
              d.size != null,
              null,
              d.busOrDefault(),
              target,
              d.retain(),
              from),
          null);
    }
    if (d.image == null) {
      return new Laid(
          new RbdDisk(d.name, image, size, true, null, d.busOrDefault(), target, d.retain(), null),
          null);
    }
    BaseImages.Resolved r = images.resolve(d.image, field, in);
    if (r.blocker() != null) {
      return new Laid(null, r.blocker());
    }
    Path file =
        d.image.url != null
            ? Path.of(r.path())
            : config.hostRoot().resolve(Path.of("/").relativize(Path.of(r.path())));
    String identity;
    try {
      identity =
          d.image.sha256 != null
              ? "sha256:" + d.image.sha256.toLowerCase(Locale.ROOT)
              : "file:"
                  + r.path()
                  + ":"
                  + Files.size(file)
                  + ":"
                  + Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return new Laid(
          null, new Blocker(Reasons.INVALID_IMAGE, field + ": cannot read " + r.path() + ": " + e));
    }
    long virtual = r.info().virtualSize();
    return new Laid(
        new RbdDisk(
            d.name,
            image,
            Math.max(size, virtual),
            d.size != null,
            new ImageFile(file, r.path(), r.info().format().wireName(), virtual, identity),
            d.busOrDefault(),
            target,
            d.retain(),
            null),
        null);
  }
}
