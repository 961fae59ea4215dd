package io.kvmop.disk;

import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.StoragePort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the image cache no longer needs: cached images no volume has used for {@code
 * config.cacheUnusedFor} (a cached image's modification time is set to now whenever it is seen in
 * use, so its age is its time unused), and scratch files of downloads that died with their process
 * (kill -9). Never an image or a scratch file whose download is on its way.
 */
final class ImageGarbage {
  private static final Logger LOG = LoggerFactory.getLogger(ImageGarbage.class);

  /** How old a scratch file must be, with no download of it here, to be a dead one's leftover. */
  static final Duration STALE_PART = Duration.ofMinutes(10);

  private final StorageConfig config;
  private final StoragePort storage;
  private final ImageSources sources;

  ImageGarbage(StorageConfig config, StoragePort storage, ImageSources sources) {
    this.config = config;
    this.storage = storage;
    this.sources = sources;
  }

  /**
   * @param inUse backing files of the pool's volumes
   * @param downloadingImage whether a download of the image with this sha256 is on its way
   * @param downloadingPart whether the scratch file of this name is one on its way
   * @return the files deleted
   */
  List<String> collect(
      Set<String> inUse,
      Instant now,
      Predicate<String> downloadingImage,
      Predicate<String> downloadingPart) {
    List<String> deleted = new ArrayList<>();
    Path dir = Path.of(config.poolPath());
    if (!Files.isDirectory(dir)) {
      return deleted;
    }
    try (var files = Files.list(dir)) {
      for (Path f :
          files.filter(x -> x.getFileName().toString().startsWith(ImageCache.PREFIX)).toList()) {
        String sha = f.getFileName().toString().substring(ImageCache.PREFIX.length());
        if (downloadingImage.test(sha)) {
          continue;
        }
        if (inUse.contains(f.toString())) {
          Files.setLastModifiedTime(f, FileTime.from(now));
          continue;
        }
        Instant last = Files.getLastModifiedTime(f).toInstant();
        if (last.plus(config.cacheUnusedFor()).isBefore(now)) {
          try {
            storage.deleteVolume(config.poolName(), f.getFileName().toString());
          } catch (LibvirtError e) {
            Files.deleteIfExists(f); // not (yet) a volume of the pool
          }
          sources.forget(f);
          deleted.add(f.toString());
          LOG.info("deleted cached image {}: unused for over {}", f, config.cacheUnusedFor());
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot collect unused images in {}: {}", dir, e.toString());
    }
    try {
      Scratch.locked(() -> deleteStaleParts(now, downloadingPart, deleted));
    } catch (IOException e) {
      LOG.debug("cannot clean {}: {}", config.scratchDir(), e.toString());
    }
    return deleted;
  }

  /**
   * Scratch files of downloads that died with their process (kill -9) and were not retried (the
   * manifest changed): deleted once they stopped growing for {@link #STALE_PART}.
   */
  private void deleteStaleParts(
      Instant now, Predicate<String> downloadingPart, List<String> deleted) throws IOException {
    if (!Files.isDirectory(config.scratchDir())) {
      return;
    }
    try (var parts = Files.list(config.scratchDir())) {
      for (Path f : parts.toList()) {
        if (!downloadingPart.test(f.getFileName().toString())
            && Files.getLastModifiedTime(f).toInstant().plus(STALE_PART).isBefore(now)) {
          Files.deleteIfExists(f);
          deleted.add(f.toString());
          LOG.info("deleted {}: left by a write that did not finish (kill -9)", f);
        }
      }
    }
  }
}
