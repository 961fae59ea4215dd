package io.kvmop.disk;

import io.kvmop.ids.Hashes;
import io.kvmop.libvirt.StoragePort;
import io.kvmop.status.Reasons;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images downloaded by URL, once per node, into kvmop's pool under a name made of their sha256
 * ({@code kvmop-image-<sha256>}). A download goes to a scratch file, is verified, and only then
 * renamed into place, so a file under the final name is always complete and correct, whatever
 * interrupted an earlier attempt. Machines asking for the same URL and checksum share one download.
 *
 * <p>Knowing a checksum grants nothing: an image is handed out only for a URL it was verified to
 * come from (each image file records its sources, {@link ImageSources}), so a machine gets an image
 * only through a URL the node lets it fetch; a URL not yet among the sources is fetched and
 * verified first. Progress and failures are per URL and checksum, so machines that share a checksum
 * each see their own URL's.
 */
public final class ImageCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ImageCache.class);
  public static final String PREFIX = "kvmop-image-";
  static final Duration RETRY_AFTER = Duration.ofSeconds(60);
  static final Duration RETRY_MAX = Duration.ofHours(1);

  /** Downloads running at once for one namespace: a stalled one never holds up another's. */
  static final int PER_NAMESPACE = 2;

  private final StorageConfig config;
  private final StoragePort storage;
  private final ImageFetcher fetcher;
  private final Clock clock;
  private final Map<String, ExecutorService> downloads = new ConcurrentHashMap<>();
  private final PoolListing listing;
  private final Map<String, Progress> inFlight = new ConcurrentHashMap<>();
  private final Map<String, Failed> failures = new ConcurrentHashMap<>();
  private final AtomicInteger started = new AtomicInteger();
  private final ImageSources sources = new ImageSources();
  private final ImageGarbage garbage;

  public ImageCache(StorageConfig config, StoragePort storage, Clock clock) {
    this(config, storage, clock, new AddressGuard());
  }

  public ImageCache(StorageConfig config, StoragePort storage, Clock clock, AddressGuard guard) {
    this.config = config;
    this.storage = storage;
    this.clock = clock;
    this.listing = new PoolListing(storage, config.poolName());
    this.garbage = new ImageGarbage(config, storage, sources);
    this.fetcher = new ImageFetcher(guard, clock);
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

  /**
   * A failed download: permanent ones (checksum, refused address, bad URL, invalid image, too
   * large) wait for the URL or checksum to change; others are retried with a growing pause.
   */
  public record Failed(
      String reason, String message, Instant at, boolean permanent, int attempts, String url)
      implements State {
    Instant retryAt() {
      if (permanent) {
        return Instant.MAX;
      }
      long factor = 1L << Math.min(attempts - 1, 10);
      Duration wait = RETRY_AFTER.multipliedBy(factor);
      return at.plus(wait.compareTo(RETRY_MAX) > 0 ? RETRY_MAX : wait);
    }
  }

  private static final class Progress {
    final String url;
    final String part;
    final AtomicLong done = new AtomicLong();
    final AtomicLong total = new AtomicLong(-1);

    /** No machine wants it any more: it ends at its next read and frees its slot. */
    volatile boolean cancelled;

    Progress(String url, String part) {
      this.url = url;
      this.part = part;
    }
  }

  /** Downloads and failures are kept per URL and checksum. */
  private static String key(String sha, String url) {
    return sha + " " + url;
  }

  private final DownloadWants wants = new DownloadWants();

  /**
   * What one machine wants now ({@code images}: url and sha256 pairs; empty: nothing, as when it is
   * refused or removed). A download no machine wants any more is cancelled: what kvmop refuses
   * holds no download slot.
   */
  public void settle(String uid, Map<String, String> images) {
    Set<String> now = new java.util.HashSet<>();
    images.forEach((url, sha) -> now.add(key(sha.toLowerCase(Locale.ROOT), url)));
    for (String k : wants.settle(uid, now)) {
      Progress p = inFlight.get(k);
      if (p != null && !p.cancelled) {
        p.cancelled = true;
        LOG.info("download of {} cancelled: no machine wants it any more", p.url);
      }
    }
  }

  /** The scratch file of one URL's download of one image. */
  private static String partName(String sha, String url) {
    return fileName(sha) + "." + Hashes.sha256(url).substring(0, 12) + ".part";
  }

  public static String fileName(String sha256) {
    return PREFIX + sha256.toLowerCase(Locale.ROOT);
  }

  /** The clock the cache ages images by. */
  public Clock clock() {
    return clock;
  }

  /** How many downloads were started since this cache was made (for tests and metrics). */
  public int downloadsStarted() {
    return started.get();
  }

  /**
   * The image's state; starts its download (on {@code namespace}'s share of download threads) when
   * it is neither here nor on its way nor failed for good.
   */
  public State get(String url, String sha256, String namespace, DownloadPolicy policy) {
    String sha = sha256.toLowerCase(Locale.ROOT);
    String key = key(sha, url);
    Path target = Path.of(config.volumePath(fileName(sha)));
    if (Files.isRegularFile(target) && sources.has(target, url)) {
      // verified from this URL before; handed out only while the node would fetch it now
      ImageFetcher.Failure refused = fetcher.refusal(url, policy);
      if (refused != null) {
        if (!failures.containsKey(key)) { // said (and logged) once
          fail(
              sha,
              url,
              refused.reason(),
              "downloading " + url + ": " + refused.getMessage(),
              true,
              1);
        }
        return failures.get(key);
      }
      // a run may have died between the rename and the refresh that follows it
      listing.ensureListed(target.getFileName().toString());
      return new Ready(target.toString());
    }
    Progress p = inFlight.get(key);
    if (p != null) {
      return new Downloading(p.url, p.done.get(), p.total.get());
    }
    Failed f = failures.get(key);
    if (f != null && clock.instant().isBefore(f.retryAt())) {
      return f;
    }
    int attempts = f != null ? f.attempts() : 0;
    Progress fresh = new Progress(url, partName(sha, url));
    if (inFlight.putIfAbsent(key, fresh) == null) {
      started.incrementAndGet();
      try {
        executor(namespace).execute(() -> download(url, sha, target, fresh, policy, attempts + 1));
      } catch (RuntimeException e) { // rejected: the cache is closing
        inFlight.remove(key);
        fail(
            sha,
            url,
            Reasons.IMAGE_DOWNLOAD_FAILED,
            "the download could not start: " + e,
            false,
            attempts + 1);
        return failures.get(sha);
      }
    }
    return new Downloading(url, 0, -1);
  }

  private ExecutorService executor(String namespace) {
    return downloads.computeIfAbsent(
        namespace == null ? "" : namespace,
        ns -> {
          java.util.concurrent.ThreadPoolExecutor e =
              new java.util.concurrent.ThreadPoolExecutor(
                  PER_NAMESPACE,
                  PER_NAMESPACE,
                  60,
                  java.util.concurrent.TimeUnit.SECONDS,
                  new java.util.concurrent.LinkedBlockingQueue<>(),
                  r -> {
                    Thread t = new Thread(r, "kvmop-image-download-" + ns);
                    t.setDaemon(true);
                    return t;
                  });
          e.allowCoreThreadTimeOut(true);
          return e;
        });
  }

  private void download(
      String url, String sha, Path target, Progress p, DownloadPolicy policy, int attempt) {
    Path part = config.scratchDir().resolve(p.part);
    if (p.cancelled) {
      inFlight.remove(key(sha, url));
      return; // waited for a slot, and nobody wants it any more
    }
    try {
      LOG.info("downloading {} (sha256 {})", url, sha);
      String got;
      try (OutputStream out =
          Files.newOutputStream(
              Scratch.reserve(config.scratchDir(), part.getFileName().toString()))) {
        got =
            fetcher.fetch(
                url, policy, out, new ImageFetcher.Counter(p.total, p.done, () -> !p.cancelled));
      }
      if (install(part, target, url, sha, got, attempt)) {
        failures.remove(key(sha, url));
        LOG.info("downloaded {} to {} ({} bytes)", url, target, p.done.get());
      }
    } catch (ImageFetcher.Failure e) {
      deleteQuietly(part);
      if (p.cancelled) {
        return; // not a failure: the next machine that asks starts it again
      }
      fail(
          sha,
          url,
          e.reason(),
          "downloading " + url + ": " + e.getMessage(),
          e.permanent(),
          attempt);
    } catch (InterruptedException e) {
      deleteQuietly(part);
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException | Error e) {
      // never a silent dead thread, and never a new download at once
      deleteQuietly(part);
      if (!(e instanceof IOException)) {
        LOG.error("download of {} failed unexpectedly", url, e);
      }
      fail(
          sha,
          url,
          Reasons.IMAGE_DOWNLOAD_FAILED,
          "downloading " + url + " failed: " + e,
          false,
          attempt);
    } finally {
      inFlight.remove(key(sha, url));
      removeScratchDirIfEmpty();
    }
  }

  /**
   * The downloaded file, renamed into the pool only when it has the declared checksum and is an
   * image kvmop takes; otherwise deleted, and the failure recorded (it would fail again the same
   * way). The hash of what came back is never reported: it would read an internal page back.
   */
  private boolean install(Path part, Path target, String url, String sha, String got, int attempt)
      throws IOException {
    if (!got.equals(sha)) {
      Files.deleteIfExists(part);
      fail(
          sha,
          url,
          Reasons.IMAGE_CHECKSUM_MISMATCH,
          "checksum mismatch: the file downloaded from "
              + url
              + " does not have the sha256 that spec.disks[].image.sha256 declares; it was"
              + " discarded. Check the URL and the checksum",
          true,
          attempt);
      return false;
    }
    ImageInfo info;
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(part, java.nio.file.StandardOpenOption.READ)) {
      info = ImageInspector.inspect(ch, fileName(sha));
    }
    if (!info.usable()) {
      Files.deleteIfExists(part);
      fail(
          sha,
          url,
          Reasons.INVALID_IMAGE,
          "the image at " + url + " cannot be used: " + info.refusal(),
          true,
          attempt);
      return false;
    }
    synchronized (this) { // two URLs of one image may finish at once
      if (Files.isRegularFile(target)) {
        // the image is here already, from another URL: this URL is now one of its sources too
        sources.add(target, url);
        Files.deleteIfExists(part);
      } else {
        sources.add(part, url); // recorded before the rename: the file under the name has it
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
      }
    }
    removeScratchDirIfEmpty(); // before libvirt lists the pool again
    listing.refresh();
    return true;
  }

  private void removeScratchDirIfEmpty() {
    Scratch.removeIfEmpty(config.scratchDir());
  }

  private void fail(
      String sha, String url, String reason, String message, boolean permanent, int attempts) {
    LOG.warn("{}: {}", reason, message);
    Failed f = new Failed(reason, message, clock.instant(), permanent, attempts, url);
    Instant retry = f.retryAt();
    String when =
        permanent
            ? " (not retried until the URL or the checksum changes)"
            : " (retried in " + Duration.between(f.at(), retry).toSeconds() + " s)";
    failures.put(
        key(sha, url), new Failed(reason, message + when, f.at(), permanent, attempts, url));
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a leftover scratch file is overwritten by the next attempt
    }
  }

  /**
   * Deletes cached images no volume has used for {@code config.cacheUnusedFor}, and scratch files
   * of downloads that died with their process ({@link ImageGarbage}); never one on its way.
   *
   * @param inUse backing files of the pool's volumes
   * @return the files deleted
   */
  public java.util.List<String> collectGarbage(Set<String> inUse) {
    java.util.List<String> deleted =
        garbage.collect(
            inUse,
            clock.instant(),
            sha -> inFlight.keySet().stream().anyMatch(k -> k.startsWith(key(sha, ""))),
            part -> inFlight.values().stream().anyMatch(d -> d.part.equals(part)));
    removeScratchDirIfEmpty();
    return deleted;
  }

  @Override
  public void close() {
    downloads.values().forEach(ExecutorService::shutdownNow);
  }
}
