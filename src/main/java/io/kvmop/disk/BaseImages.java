package io.kvmop.disk;

import io.kvmop.api.ImageSource;
import io.kvmop.status.Blocker;
import io.kvmop.status.Reasons;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A disk's base image: by path through the node's gate ({@link AllowedFile}), by URL from the
 * download cache; inspected as Nova does and checked against what the spec declares.
 */
final class BaseImages {
  private final StorageConfig config;
  private final ImageCache cache;

  /** Checksums of path images already verified, by path, size and modification time. */
  private final Map<String, String> verified = new ConcurrentHashMap<>();

  BaseImages(StorageConfig config, ImageCache cache) {
    this.config = config;
    this.cache = cache;
  }

  /** A base image: its file on the node and what inspecting it found, or why not. */
  record Resolved(String path, ImageInfo info, Blocker blocker) {}

  Resolved resolve(ImageSource image, String field, DiskProvisioner.Input in) {
    if (image.url != null) {
      ImageCache.State s =
          cache.get(
              image.url, image.sha256, in.machine().getMetadata().getNamespace(), in.downloads());
      if (s instanceof ImageCache.Downloading d) {
        return new Resolved(
            null, null, new Blocker(Reasons.DOWNLOADING, field + ": " + d.describe()));
      }
      if (s instanceof ImageCache.Failed f) {
        return new Resolved(null, null, new Blocker(f.reason(), field + ": " + f.message()));
      }
      String nodePath = ((ImageCache.Ready) s).path();
      try (FileChannel ch = FileChannel.open(Path.of(nodePath), StandardOpenOption.READ)) {
        return checked(image, field, nodePath, ImageInspector.inspect(ch, nodePath), null);
      } catch (IOException e) {
        return new Resolved(
            null,
            null,
            new Blocker(Reasons.INVALID_IMAGE, field + ": cannot read " + nodePath + ": " + e));
      }
    }
    try (AllowedFile file =
        AllowedFile.open(image.path, in.imageDirectories(), config.poolPath(), config.hostRoot())) {
      String nodePath = file.nodePath();
      ImageInfo info;
      try (FileChannel ch = file.read()) {
        info = ImageInspector.inspect(ch, nodePath);
      }
      return checked(image, field, nodePath, info, file);
    } catch (AllowedFile.Refused r) {
      return new Resolved(
          null,
          null,
          new Blocker(
              Reasons.IMAGE_PATH_REFUSED,
              field
                  + ".image.path: "
                  + r.getMessage()
                  + " (the node's KvmHost spec.imageDirectories lists where images may be)"));
    } catch (IOException e) {
      return new Resolved(
          null,
          null,
          new Blocker(
              Reasons.INVALID_IMAGE,
              field + ": cannot read " + image.path + ": " + e.getMessage()));
    }
  }

  /** The inspected image against what the spec declares (format, and sha256 for a path). */
  private Resolved checked(
      ImageSource image, String field, String nodePath, ImageInfo info, AllowedFile file)
      throws IOException {
    if (!info.usable()) {
      return new Resolved(
          null,
          null,
          new Blocker(
              Reasons.INVALID_IMAGE,
              field + ": " + nodePath + " cannot be used: " + info.refusal()));
    }
    if (image.format != null && !image.format.equals(info.format().wireName())) {
      return new Resolved(
          null,
          null,
          new Blocker(
              Reasons.INVALID_IMAGE,
              field
                  + ".image.format is "
                  + image.format
                  + " but "
                  + nodePath
                  + " is "
                  + info.format().wireName()
                  + "; correct the format (or leave it out to have it detected)"));
    }
    if (file != null && image.sha256 != null) {
      String got = sha256(nodePath, file.handle());
      if (!got.equalsIgnoreCase(image.sha256)) {
        // the hash of what is there is not reported: a checksum must not read a file back
        return new Resolved(
            null,
            null,
            new Blocker(
                Reasons.IMAGE_CHECKSUM_MISMATCH,
                field
                    + ": checksum mismatch: "
                    + nodePath
                    + " does not have the declared sha256 "
                    + image.sha256.toLowerCase(Locale.ROOT)));
      }
    }
    return new Resolved(nodePath, info, null);
  }

  private String sha256(String nodePath, Path file) throws IOException {
    String key =
        nodePath + ":" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
    String known = verified.get(key);
    if (known != null) {
      return known;
    }
    try (InputStream in =
        new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      String hex = HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
      verified.put(key, hex);
      return hex;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
