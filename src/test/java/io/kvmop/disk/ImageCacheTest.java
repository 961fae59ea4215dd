package io.kvmop.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.kvmop.testing.FakeLibvirt;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a local HTTP server into a temp pool directory. */
class ImageCacheTest {
  /** The test's server listens on loopback, which downloads may reach only when allowed. */
  static final DownloadPolicy LOOPBACK = allowing("127.0.0.1");

  static DownloadPolicy allowing(String host) {
    io.kvmop.api.ImageDownloadSpec spec = new io.kvmop.api.ImageDownloadSpec();
    spec.allowedHosts = java.util.List.of(host);
    return DownloadPolicy.of(spec);
  }

  @TempDir Path pool;
  private HttpServer server;
  private final AtomicInteger hits = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);
  private final byte[] image = new byte[3 << 20];
  private ImageCache cache;
  private String sha;

  @BeforeEach
  void serve() throws Exception {
    for (int i = 0; i < image.length; i++) {
      image[i] = (byte) (i * 31);
    }
    sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/slow.img",
        x -> {
          hits.incrementAndGet();
          x.sendResponseHeaders(200, image.length);
          try (var out = x.getResponseBody()) {
            out.write(image, 0, 1 << 20);
            out.flush();
            release.await(20, TimeUnit.SECONDS); // the rest only when the test says so
            out.write(image, 1 << 20, image.length - (1 << 20));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    server.start();
    StorageConfig config =
        new StorageConfig("kvmop", pool.toString(), Path.of("/"), Duration.ofHours(1));
    cache = new ImageCache(config, new FakeLibvirt().storage(), Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
    cache.close();
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/slow.img";
  }

  @Test
  void progressIsReportedAndConcurrentAsksShareOneDownload() {
    assertThat(cache.get(url(), sha, "default", LOOPBACK))
        .isInstanceOf(ImageCache.Downloading.class);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                cache.get(url(), sha, "default", LOOPBACK) instanceof ImageCache.Downloading d
                    && d.done() >= 1 << 20
                    && d.total() == image.length);
    var d = (ImageCache.Downloading) cache.get(url(), sha.toUpperCase(), "default", LOOPBACK);
    assertThat(d.describe()).contains("1 of 3 MiB (33%)");
    assertThat(pool.resolve(ImageCache.fileName(sha)))
        .as("not before it is verified")
        .doesNotExist();
    release.countDown();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cache.get(url(), sha, "default", LOOPBACK) instanceof ImageCache.Ready);
    assertThat(hits.get()).isEqualTo(1);
    assertThat(cache.downloadsStarted()).isEqualTo(1);
    assertThat(pool.resolve(ImageCache.fileName(sha))).hasBinaryContent(image);
    assertThat(pool.resolve(".kvmop-partial"))
        .as("libvirt lists every entry of the pool directory: no scratch directory is left")
        .doesNotExist();
  }

  @Test
  void anImageADeadRunRenamedInButNeverRefreshedIntoThePoolIsListedWhenAskedFor() throws Exception {
    FakeLibvirt libvirt = new FakeLibvirt();
    StorageConfig config =
        new StorageConfig("kvmop", pool.toString(), Path.of("/"), Duration.ofHours(1));
    assertThat(new PoolKeeper(libvirt.storage(), config).ensure().blocker()).isNull();
    Files.write(pool.resolve(ImageCache.fileName(sha)), image);
    // a dead run recorded the URL on the scratch file before the rename
    new ImageSources().add(pool.resolve(ImageCache.fileName(sha)), url());
    ImageCache other = new ImageCache(config, libvirt.storage(), Clock.systemUTC());
    try {
      assertThat(libvirt.storage().findVolume("kvmop", ImageCache.fileName(sha))).isEmpty();
      assertThat(other.get(url(), sha, "default", LOOPBACK)).isInstanceOf(ImageCache.Ready.class);
      assertThat(libvirt.storage().findVolume("kvmop", ImageCache.fileName(sha))).isPresent();
      assertThat(hits.get()).as("not downloaded again").isZero();
    } finally {
      other.close();
    }
  }

  @Test
  void knowingTheChecksumGrantsNothingEachMachineGetsTheImageOnlyThroughItsOwnUrl() {
    release.countDown();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cache.get(url(), sha, "team-a", LOOPBACK) instanceof ImageCache.Ready);
    String nothing = "http://127.0.0.1:" + server.getAddress().getPort() + "/none.img";
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cache.get(nothing, sha, "team-b", LOOPBACK) instanceof ImageCache.Failed);
    var served404 = (ImageCache.Failed) cache.get(nothing, sha, "team-b", LOOPBACK);
    assertThat(served404.message()).contains(nothing, "HTTP 404");
    // a URL the node refuses, with the same checksum: refused, and not fetched again and again
    var refused =
        (ImageCache.Failed)
            await()
                .atMost(Duration.ofSeconds(10))
                .until(
                    () -> cache.get(url(), sha, "team-c", DownloadPolicy.defaults()),
                    s -> s instanceof ImageCache.Failed);
    assertThat(refused.reason()).isEqualTo("ImageURLRefused");
    int started = cache.downloadsStarted();
    for (int i = 0; i < 5; i++) {
      assertThat(cache.get(url(), sha, "team-c", DownloadPolicy.defaults()))
          .isInstanceOf(ImageCache.Failed.class);
      assertThat(cache.get(nothing, sha, "team-b", LOOPBACK)).isInstanceOf(ImageCache.Failed.class);
    }
    assertThat(cache.downloadsStarted()).isEqualTo(started);
    // team-a still has it; another URL that really serves it is verified once, then shared
    assertThat(cache.get(url(), sha, "team-a", LOOPBACK)).isInstanceOf(ImageCache.Ready.class);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                cache.get(url() + "?mirror", sha, "team-b", LOOPBACK) instanceof ImageCache.Ready);
    assertThat(hits.get()).as("the mirror was fetched to verify it").isEqualTo(2);
  }

  @Test
  void machinesSharingAChecksumEachSeeTheirOwnUrlsProgress() {
    assertThat(cache.get(url(), sha, "team-a", LOOPBACK))
        .isInstanceOf(ImageCache.Downloading.class);
    var mirror = cache.get(url() + "?mirror", sha, "team-b", LOOPBACK);
    assertThat(mirror).isInstanceOf(ImageCache.Downloading.class);
    assertThat(((ImageCache.Downloading) mirror).url()).isEqualTo(url() + "?mirror");
    assertThat(((ImageCache.Downloading) cache.get(url(), sha, "team-a", LOOPBACK)).url())
        .isEqualTo(url());
    release.countDown();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                cache.get(url(), sha, "team-a", LOOPBACK) instanceof ImageCache.Ready
                    && cache.get(url() + "?mirror", sha, "team-b", LOOPBACK)
                        instanceof ImageCache.Ready);
    assertThat(pool.resolve(ImageCache.fileName(sha))).hasBinaryContent(image);
  }

  @Test
  void aWrongChecksumDiscardsTheFileAndIsNotRetriedAtOnce() {
    release.countDown();
    String wrong = "ab".repeat(32);
    cache.get(url(), wrong, "default", LOOPBACK);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cache.get(url(), wrong, "default", LOOPBACK) instanceof ImageCache.Failed);
    var f = (ImageCache.Failed) cache.get(url(), wrong, "default", LOOPBACK);
    assertThat(f.reason()).isEqualTo("ImageChecksumMismatch");
    assertThat(f.message()).contains("checksum mismatch");
    assertThat(f.message())
        .as("the hash of what came back would read an internal page's content back")
        .doesNotContain(sha);
    assertThat(f.message()).contains("not retried until the URL or the checksum changes");
    cache.get(url(), wrong, "default", LOOPBACK);
    assertThat(cache.downloadsStarted()).as("no re-download loop").isEqualTo(1);
    assertThat(pool.resolve(ImageCache.fileName(wrong))).doesNotExist();
    assertThat(pool.resolve(".kvmop-partial")).doesNotExist();
    assertThat(hits.get()).isEqualTo(1);
  }

  @Test
  void unusedImagesAreCollectedAfterTheirAgeAndUsedOnesAreKept() throws Exception {
    Path used = Files.writeString(pool.resolve(ImageCache.fileName("a".repeat(64))), "x");
    Path old = Files.writeString(pool.resolve(ImageCache.fileName("b".repeat(64))), "x");
    Path fresh = Files.writeString(pool.resolve(ImageCache.fileName("c".repeat(64))), "x");
    Path foreign = Files.writeString(pool.resolve("users-own.qcow2"), "x");
    FileTime twoHoursAgo = FileTime.from(Instant.now().minus(Duration.ofHours(2)));
    for (Path p : new Path[] {used, old, foreign}) {
      Files.setLastModifiedTime(p, twoHoursAgo);
    }
    assertThat(cache.collectGarbage(Set.of(used.toString()))).containsExactly(old.toString());
    assertThat(used).exists();
    assertThat(Files.getLastModifiedTime(used).toInstant()).isAfter(twoHoursAgo.toInstant());
    assertThat(fresh).exists();
    assertThat(foreign).as("only kvmop's cache files are ever collected").exists();
  }

  @Test
  void aScratchFileADeadDownloadLeftIsCollectedOnceItStoppedGrowing() throws Exception {
    Path scratch = Files.createDirectories(pool.resolve(".kvmop-partial"));
    Path dead =
        Files.writeString(scratch.resolve(ImageCache.fileName("d".repeat(64)) + ".part"), "x");
    Path recent =
        Files.writeString(scratch.resolve(ImageCache.fileName("e".repeat(64)) + ".part"), "x");
    Files.setLastModifiedTime(
        dead, FileTime.from(Instant.now().minus(ImageGarbage.STALE_PART).minusSeconds(60)));
    assertThat(cache.collectGarbage(Set.of())).containsExactly(dead.toString());
    assertThat(recent).as("perhaps another process is still writing it").exists();
    Files.delete(recent);
    cache.collectGarbage(Set.of());
    assertThat(scratch).doesNotExist();
  }
}
