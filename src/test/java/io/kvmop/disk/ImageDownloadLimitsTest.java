package io.kvmop.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.kvmop.api.ImageDownloadSpec;
import io.kvmop.testing.FakeLibvirt;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image downloads against a local server: what they may reach (redirects included), how much they
 * may bring, how long they may stall or take, and that a stalled one never holds up another
 * namespace's.
 */
class ImageDownloadLimitsTest {
  @TempDir Path pool;
  HttpServer server;
  ImageCache cache;
  final CountDownLatch release = new CountDownLatch(1);
  final byte[] small = new byte[64 * 1024];
  String smallSha;

  @BeforeEach
  void start() throws Exception {
    smallSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(small));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.createContext(
        "/small.img",
        x -> {
          x.sendResponseHeaders(200, small.length);
          try (OutputStream out = x.getResponseBody()) {
            out.write(small);
          }
        });
    server.createContext(
        "/big-chunked.img",
        x -> {
          x.sendResponseHeaders(200, 0); // chunked: no Content-Length
          try (OutputStream out = x.getResponseBody()) {
            for (int i = 0; i < 64; i++) {
              out.write(new byte[64 * 1024]);
            }
          } catch (java.io.IOException e) {
            // the client gave up, as it should
          }
        });
    server.createContext(
        "/big-declared.img",
        x -> {
          x.sendResponseHeaders(200, 8L << 20);
          x.close();
        });
    server.createContext(
        "/stall.img",
        x -> {
          x.sendResponseHeaders(200, 4 << 20);
          try (OutputStream out = x.getResponseBody()) {
            out.write(new byte[1024]);
            out.flush();
            release.await(30, TimeUnit.SECONDS);
          } catch (Exception e) {
            // the client gave up
          }
        });
    server.createContext(
        "/drip.img",
        x -> {
          x.sendResponseHeaders(200, 64 << 20);
          try (OutputStream out = x.getResponseBody()) {
            for (int i = 0; i < 1000 && release.getCount() > 0; i++) {
              out.write(new byte[16 << 10]); // 80 KiB/s: slow, but never a stall
              out.flush();
              Thread.sleep(200);
            }
          } catch (Exception e) {
            // the client gave up
          }
        });
    server.createContext(
        "/trickle.img",
        x -> {
          x.sendResponseHeaders(200, 1 << 20);
          try (OutputStream out = x.getResponseBody()) {
            for (int i = 0; i < 1000 && release.getCount() > 0; i++) {
              out.write(0); // a byte now and then: every read returns, nothing really arrives
              out.flush();
              Thread.sleep(200);
            }
          } catch (Exception e) {
            // the client gave up
          }
        });
    server.createContext(
        "/to-localhost",
        x -> {
          x.getResponseHeaders()
              .add("Location", "http://localhost:" + server.getAddress().getPort() + "/small.img");
          x.sendResponseHeaders(302, -1);
          x.close();
        });
    server.createContext(
        "/to-file",
        x -> {
          x.getResponseHeaders().add("Location", "file:///etc/shadow");
          x.sendResponseHeaders(301, -1);
          x.close();
        });
    server.createContext(
        "/to-small",
        x -> {
          x.getResponseHeaders().add("Location", "/small.img");
          x.sendResponseHeaders(307, -1);
          x.close();
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

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private static DownloadPolicy allowLoopback(String maxSize, String stall) {
    ImageDownloadSpec s = new ImageDownloadSpec();
    s.allowedHosts = List.of("127.0.0.1");
    s.maxSize = maxSize;
    s.stallTimeout = stall;
    return DownloadPolicy.of(s);
  }

  private ImageCache.Failed failure(String url, String sha, String ns, DownloadPolicy p) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> cache.get(url, sha, ns, p) instanceof ImageCache.Failed);
    return (ImageCache.Failed) cache.get(url, sha, ns, p);
  }

  @Test
  void loopbackIsRefusedByDefaultAndNothingIsFetched() {
    var f = failure(url("/small.img"), smallSha, "a", DownloadPolicy.defaults());
    assertThat(f.reason()).isEqualTo("ImageURLRefused");
    assertThat(f.message()).contains("127.0.0.1", "loopback", "allowedHosts");
    var byName =
        failure(
            "http://localhost:" + server.getAddress().getPort() + "/small.img",
            "cd".repeat(32),
            "a",
            DownloadPolicy.defaults());
    assertThat(byName.reason()).isEqualTo("ImageURLRefused");
    cache.get(url("/small.img"), smallSha, "a", DownloadPolicy.defaults());
    assertThat(cache.downloadsStarted()).as("refused for good: no loop").isEqualTo(2);
  }

  @Test
  void everyRedirectIsCheckedAgain() {
    DownloadPolicy p = allowLoopback("1Gi", "10s");
    var toName = failure(url("/to-localhost"), smallSha, "a", p);
    assertThat(toName.reason()).isEqualTo("ImageURLRefused");
    assertThat(toName.message()).contains("redirected to http://localhost");
    var toFile = failure(url("/to-file"), "ef".repeat(32), "a", p);
    assertThat(toFile.reason()).isEqualTo("InvalidImageURL");
    assertThat(toFile.message()).contains("only http and https");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cache.get(url("/to-small"), smallSha, "a", p) instanceof ImageCache.Ready);
  }

  @Test
  void theSizeCapHoldsWithAndWithoutContentLength() {
    DownloadPolicy p = allowLoopback("1Mi", "10s");
    var declared = failure(url("/big-declared.img"), "01".repeat(32), "a", p);
    assertThat(declared.reason()).isEqualTo("ImageTooLarge");
    var streamed = failure(url("/big-chunked.img"), "02".repeat(32), "a", p);
    assertThat(streamed.reason()).isEqualTo("ImageTooLarge");
    assertThat(streamed.message()).contains("1Mi");
  }

  @Test
  void aStalledDownloadEndsAndNeverHoldsUpAnotherNamespace() {
    DownloadPolicy p = allowLoopback("1Gi", "2s");
    // two stalled downloads fill namespace a's share of download threads
    cache.get(url("/stall.img"), "03".repeat(32), "a", p);
    cache.get(url("/stall.img?2"), "04".repeat(32), "a", p);
    await()
        .atMost(Duration.ofSeconds(1))
        .until(() -> cache.get(url("/small.img"), smallSha, "b", p) instanceof ImageCache.Ready);
    var stalled = failure(url("/stall.img"), "03".repeat(32), "a", p);
    assertThat(stalled.reason()).isEqualTo("ImageDownloadStalled");
    assertThat(stalled.permanent()).as("a stall is tried again, later").isFalse();
  }

  @Test
  void aDownloadNoMachineWantsAnyMoreFreesItsSlotAtOnce() {
    DownloadPolicy p = allowLoopback("1Gi", "30s");
    String slow1 = url("/drip.img"), slow2 = url("/drip.img?2");
    String sha1 = "08".repeat(32), sha2 = "09".repeat(32);
    // two slow downloads (never a stall) fill namespace a's share; u1 and u3 want the first
    cache.get(slow1, sha1, "a", p);
    cache.get(slow2, sha2, "a", p);
    cache.settle("u1", java.util.Map.of(slow1, sha1));
    cache.settle("u2", java.util.Map.of(slow2, sha2));
    cache.settle("u3", java.util.Map.of(slow1, sha1));
    // u2 is refused, u1 changes its URL: slow2 is wanted by no one, slow1 still by u3
    cache.settle("u2", java.util.Map.of());
    cache.settle("u1", java.util.Map.of(url("/small.img"), smallSha));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> cache.get(url("/small.img"), smallSha, "a", p) instanceof ImageCache.Ready);
    assertThat(cache.get(slow1, sha1, "a", p))
        .as("still wanted by u3: still downloading")
        .isInstanceOf(ImageCache.Downloading.class)
        .matches(d -> ((ImageCache.Downloading) d).done() > 0, "went on");
    int started = cache.downloadsStarted();
    assertThat(cache.get(slow2, sha2, "a", p))
        .as("a cancelled download is no failure: asked again, it starts again")
        .isInstanceOf(ImageCache.Downloading.class);
    assertThat(cache.downloadsStarted()).isEqualTo(started + 1);
  }

  @Test
  void aTrickleIsAStallAndEndsLongBeforeTheDeadline() {
    var f = failure(url("/trickle.img"), "07".repeat(32), "a", allowLoopback("1Gi", "1s"));
    assertThat(f.reason()).isEqualTo("ImageDownloadStalled");
    assertThat(f.message()).contains("less than 64 KiB arrived in 1 s");
  }

  @Test
  void aDownloadPastItsDeadlineEnds() {
    ImageDownloadSpec s = new ImageDownloadSpec();
    s.allowedHosts = List.of("127.0.0.1");
    s.stallTimeout = "1s";
    s.deadline = "2s";
    var f = failure(url("/drip.img"), "06".repeat(32), "a", DownloadPolicy.of(s));
    assertThat(f.reason()).isEqualTo("ImageDownloadStalled");
    assertThat(f.message()).contains("deadline");
  }

  @Test
  void aMalformedUrlEndsAsAConditionNotADeadThread() {
    var f = failure("http://exa mple.com/x.img", "05".repeat(32), "a", DownloadPolicy.defaults());
    assertThat(f.reason()).isEqualTo("InvalidImageURL");
    cache.get("http://exa mple.com/x.img", "05".repeat(32), "a", DownloadPolicy.defaults());
    assertThat(cache.downloadsStarted()).isEqualTo(1);
  }
}
