package io.kvmop.disk;

import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.StoragePort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images downloaded by URL, once per node, into kvmop's pool under a name made of their sha256
 * ({@code kvmop-image-<sha256>}). A download goes to a scratch file, is verified, and only then
 * renamed into place, so a file under the final name is always complete and correct, whatever
 * interrupted an earlier attempt. Machines asking for the same checksum share one download.
 */
public final class ImageCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ImageCache.class);
  public static final String PREFIX = "kvmop-image-";
  static final Duration RETRY_AFTER = Duration.ofSeconds(60);

  private final StorageConfig config;
  private final StoragePort storage;
  private final HttpClient http;
  private final Clock clock;
  private final ExecutorService downloads;
  private final PoolListing listing;
  private final Map<String, Progress> inFlight = new ConcurrentHashMap<>();
  private final Map<String, Failed> failures = new ConcurrentHashMap<>();
  private final AtomicInteger started = new AtomicInteger();

  public ImageCache(StorageConfig config, StoragePort storage, Clock clock) {
    this.config = config;
    this.storage = storage;
    this.clock = clock;
    this.listing = new PoolListing(storage, config.poolName());
    this.http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(20))
            .build();
    this.downloads =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "kvmop-image-download");
              t.setDaemon(true);
              return t;
            });
  }

  /** Where an image stands. */
  public sealed interface State {}

  public record Ready(String path) implements State {}

  public record Downloading(String url, long done, long total) implements State {
    public String describe() {
      return total > 0
          ? String.format(
              Locale.ROOT,
              "downloading %s: %d of %d MiB (%d%%)",
              url,
              done >> 20,
              total >> 20,
              done * 100 / total)
          : "downloading " + url + ": " + (done >> 20) + " MiB so far";
    }
  }

  public record Failed(String reason, String message, Instant at) implements State {}

  private static final class Progress {
    final String url;
    final AtomicLong done = new AtomicLong();
    volatile long total = -1;

    Progress(String url) {
      this.url = url;
    }
  }

  public static String fileName(String sha256) {
    return PREFIX + sha256.toLowerCase(Locale.ROOT);
  }

  /** How many downloads were started since this cache was made (for tests and metrics). */
  public int downloadsStarted() {
    return started.get();
  }

  /** The image's state; starts its download when it is neither here nor on its way. */
  public State get(String url, String sha256) {
    String sha = sha256.toLowerCase(Locale.ROOT);
    Path target = Path.of(config.volumePath(fileName(sha)));
    if (Files.isRegularFile(target)) {
      // a run may have died between the rename and the refresh that follows it
      listing.ensureListed(target.getFileName().toString());
      return new Ready(target.toString());
    }
    Progress p = inFlight.get(sha);
    if (p != null) {
      return new Downloading(p.url, p.done.get(), p.total);
    }
    Failed f = failures.get(sha);
    if (f != null && clock.instant().isBefore(f.at().plus(RETRY_AFTER))) {
      return f;
    }
    Progress fresh = new Progress(url);
    if (inFlight.putIfAbsent(sha, fresh) == null) {
      failures.remove(sha);
      started.incrementAndGet();
      downloads.execute(() -> download(url, sha, target, fresh));
    }
    return new Downloading(url, 0, -1);
  }

  private void download(String url, String sha, Path target, Progress p) {
    Path part = config.scratchDir().resolve(fileName(sha) + ".part");
    try {
      LOG.info("downloading {} (sha256 {})", url, sha);
      HttpResponse<InputStream> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).GET().build(),
              HttpResponse.BodyHandlers.ofInputStream());
      if (r.statusCode() != 200) {
        r.body().close();
        fail(sha, "ImageDownloadFailed", url + " answered HTTP " + r.statusCode());
        return;
      }
      p.total = r.headers().firstValueAsLong("content-length").orElse(-1);
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      try (InputStream in = r.body();
          OutputStream out =
              Files.newOutputStream(
                  Scratch.reserve(config.scratchDir(), part.getFileName().toString()))) {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
          out.write(buf, 0, n);
          digest.update(buf, 0, n);
          p.done.addAndGet(n);
        }
      }
      String got = HexFormat.of().formatHex(digest.digest());
      if (!got.equals(sha)) {
        Files.deleteIfExists(part);
        fail(
            sha,
            "ImageChecksumMismatch",
            "the file downloaded from "
                + url
                + " has sha256 "
                + got
                + ", not the "
                + sha
                + " spec.disks[].image.sha256 declares; it was discarded. Check the URL and the"
                + " checksum");
        return;
      }
      ImageInfo info = ImageInspector.inspect(part);
      if (!info.usable()) {
        Files.deleteIfExists(part);
        fail(sha, "InvalidImage", "the image at " + url + " cannot be used: " + info.refusal());
        return;
      }
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
      removeScratchDirIfEmpty(); // before libvirt lists the pool again
      listing.refresh();
      LOG.info("downloaded {} to {} ({} bytes)", url, target, p.done.get());
    } catch (IOException | NoSuchAlgorithmException e) {
      deleteQuietly(part);
      fail(sha, "ImageDownloadFailed", "downloading " + url + " failed: " + e);
    } catch (InterruptedException e) {
      deleteQuietly(part);
      Thread.currentThread().interrupt();
    } finally {
      inFlight.remove(sha);
      removeScratchDirIfEmpty();
    }
  }

  private void removeScratchDirIfEmpty() {
    Scratch.removeIfEmpty(config.scratchDir());
  }

  /** How old a scratch file must be, with no download of it here, to be a dead one's leftover. */
  static final Duration STALE_PART = Duration.ofMinutes(10);

  /**
   * Scratch files of downloads that died with their process (kill -9) and were not retried (the
   * manifest changed): deleted once they stopped growing for {@link #STALE_PART}.
   */
  private void collectStaleParts(Instant now, java.util.List<String> deleted) {
    try {
      Scratch.locked(() -> deleteStaleParts(now, deleted));
    } catch (IOException e) {
      LOG.debug("cannot clean {}: {}", config.scratchDir(), e.toString());
    }
    removeScratchDirIfEmpty();
  }

  private void deleteStaleParts(Instant now, java.util.List<String> deleted) throws IOException {
    if (!Files.isDirectory(config.scratchDir())) {
      return;
    }
    try (var parts = Files.list(config.scratchDir())) {
      for (Path f : parts.toList()) {
        String name = f.getFileName().toString();
        boolean downloading =
            name.startsWith(PREFIX)
                && name.endsWith(".part")
                && inFlight.containsKey(
                    name.substring(PREFIX.length(), name.length() - ".part".length()));
        if (!downloading
            && Files.getLastModifiedTime(f).toInstant().plus(STALE_PART).isBefore(now)) {
          Files.deleteIfExists(f);
          deleted.add(f.toString());
          LOG.info("deleted {}: left by a write that did not finish (kill -9)", f);
        }
      }
    }
  }

  private void fail(String sha, String reason, String message) {
    LOG.warn("{}: {}", reason, message);
    failures.put(
        sha,
        new Failed(
            reason,
            message + " (retried after " + RETRY_AFTER.toSeconds() + " s)",
            clock.instant()));
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a leftover scratch file is overwritten by the next attempt
    }
  }

  /**
   * Deletes cached images no volume has used for {@code config.cacheUnusedFor}: a cached image's
   * modification time is set to now whenever it is seen in use, so its age is its time unused.
   *
   * @param inUse backing files of the pool's volumes
   * @return the files deleted
   */
  public java.util.List<String> collectGarbage(Set<String> inUse) {
    java.util.List<String> deleted = new java.util.ArrayList<>();
    Path dir = Path.of(config.poolPath());
    if (!Files.isDirectory(dir)) {
      return deleted;
    }
    Instant now = clock.instant();
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(x -> x.getFileName().toString().startsWith(PREFIX)).toList()) {
        String sha = f.getFileName().toString().substring(PREFIX.length());
        if (inFlight.containsKey(sha)) {
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
          deleted.add(f.toString());
          LOG.info("deleted cached image {}: unused for over {}", f, config.cacheUnusedFor());
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot collect unused images in {}: {}", dir, e.toString());
    }
    collectStaleParts(now, deleted);
    return deleted;
  }

  @Override
  public void close() {
    downloads.shutdownNow();
  }
}
