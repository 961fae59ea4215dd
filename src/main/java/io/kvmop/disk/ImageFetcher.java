package io.kvmop.disk;

import io.kvmop.api.Quantities;
import io.kvmop.status.Reasons;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fetches one image over http or https under a node's {@link DownloadPolicy}: every address the
 * URL's host (and each redirect's) resolves to is checked by the {@link AddressGuard} before kvmop
 * connects, redirects are followed by hand (at most {@value #MAX_REDIRECTS}), the size is capped by
 * Content-Length and while streaming, a stall ends the download, and so does the deadline. The body
 * streams into {@code out} and its sha256 is returned; it is never echoed into a message.
 */
public final class ImageFetcher {
  static final int MAX_REDIRECTS = 5;

  private final AddressGuard guard;
  private final Clock clock;

  public ImageFetcher(AddressGuard guard, Clock clock) {
    this.guard = guard;
    this.clock = clock;
  }

  /** A download that failed, with the condition reason it ends in and whether to try again. */
  public static final class Failure extends Exception {
    private final String reason;
    private final boolean permanent;

    Failure(String reason, String message, boolean permanent) {
      super(message);
      this.reason = reason;
      this.permanent = permanent;
    }

    public String reason() {
      return reason;
    }

    /** Trying the same URL again would fail the same way: wait for the spec to change. */
    public boolean permanent() {
      return permanent;
    }
  }

  /**
   * Why the node would not fetch {@code url} under {@code policy} now (its form, its scheme, the
   * addresses its host has), as the failure a fetch would end in; null when it would.
   */
  Failure refusal(String url, DownloadPolicy policy) {
    try {
      String why = guard.refusal(parse(url).getHost(), policy);
      return why == null ? null : new Failure(Reasons.IMAGE_URL_REFUSED, why, true);
    } catch (Failure f) {
      return f;
    }
  }

  /** Parses and checks a URL as the spec wrote it: http or https, a host, nothing else. */
  public static URI parse(String url) throws Failure {
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException | NullPointerException e) {
      throw new Failure(Reasons.INVALID_IMAGE_URL, "the URL is malformed: " + e.getMessage(), true);
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new Failure(
          Reasons.INVALID_IMAGE_URL,
          "the URL's scheme is '" + scheme + "'; only http and https",
          true);
    }
    if (u.getHost() == null || u.getRawAuthority() == null) {
      throw new Failure(Reasons.INVALID_IMAGE_URL, "the URL has no host name", true);
    }
    return u;
  }

  /**
   * @param progress receives the total (or -1) first, then bytes as they arrive
   * @return the sha256 of what was written to {@code out}
   */
  public String fetch(String url, DownloadPolicy policy, OutputStream out, Progress progress)
      throws Failure, InterruptedException {
    Instant deadline = clock.instant().plus(policy.deadline());
    URI current = parse(url);
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      String refusal = guard.refusal(current.getHost(), policy);
      if (refusal != null) {
        throw new Failure(
            Reasons.IMAGE_URL_REFUSED,
            (hop == 0 ? "" : "redirected to " + current + ": ") + refusal,
            true);
      }
      HttpURLConnection c = open(current, policy, deadline);
      try {
        int code = c.getResponseCode();
        if (code >= 300 && code < 400 && code != 304) {
          String location = c.getHeaderField("Location");
          c.disconnect();
          if (location == null) {
            throw new Failure(
                Reasons.IMAGE_DOWNLOAD_FAILED, "HTTP " + code + " without a Location", false);
          }
          current = parse(current.resolve(location).toString());
          continue;
        }
        if (code != 200) {
          c.disconnect();
          throw new Failure(
              Reasons.IMAGE_DOWNLOAD_FAILED,
              "the server answered HTTP " + code,
              code >= 400 && code < 500);
        }
        long total = c.getContentLengthLong();
        if (total > policy.maxBytes()) {
          c.disconnect();
          throw tooLarge(policy);
        }
        progress.total(total);
        return stream(c, policy, out, progress, deadline, clock);
      } catch (IOException e) {
        throw ioFailure(e, deadline, policy);
      } finally {
        c.disconnect();
      }
    }
    throw new Failure(
        Reasons.IMAGE_DOWNLOAD_FAILED, "more than " + MAX_REDIRECTS + " redirects", true);
  }

  /** A read that timed out is a stall, anything past the deadline is the deadline. */
  private Failure ioFailure(IOException e, Instant deadline, DownloadPolicy policy) {
    if (!clock.instant().isBefore(deadline)) {
      return new Failure(
          Reasons.IMAGE_DOWNLOAD_STALLED,
          "the download did not finish within its deadline of " + policy.deadline(),
          false);
    }
    if (e instanceof SocketTimeoutException) {
      return new Failure(
          Reasons.IMAGE_DOWNLOAD_STALLED,
          "nothing arrived for " + policy.stallTimeout().toSeconds() + " s",
          false);
    }
    return new Failure(Reasons.IMAGE_DOWNLOAD_FAILED, "downloading failed: " + e, false);
  }

  private static String stream(
      HttpURLConnection c,
      DownloadPolicy policy,
      OutputStream out,
      Progress progress,
      Instant deadline,
      Clock clock)
      throws IOException, Failure {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long done = 0;
    Instant window = clock.instant();
    long inWindow = 0;
    try (InputStream in = c.getInputStream()) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        done += n;
        inWindow += n;
        Instant now = clock.instant();
        if (!now.isBefore(window.plus(policy.stallTimeout()))) {
          // a trickle is a stall too: it would hold a download slot until the deadline
          if (inWindow < MIN_PER_STALL_WINDOW) {
            throw new Failure(
                Reasons.IMAGE_DOWNLOAD_STALLED,
                "less than "
                    + (MIN_PER_STALL_WINDOW >> 10)
                    + " KiB arrived in "
                    + policy.stallTimeout().toSeconds()
                    + " s ("
                    + policy.settings().stallTimeout
                    + ")",
                false);
          }
          window = now;
          inWindow = 0;
        }
        if (done > policy.maxBytes()) {
          throw tooLarge(policy);
        }
        out.write(buf, 0, n);
        digest.update(buf, 0, n);
        progress.received(n);
        if (!progress.wanted()) {
          throw new Failure(Reasons.DOWNLOADING, "cancelled: no machine wants it any more", false);
        }
        if (!clock.instant().isBefore(deadline)) { // a trickle never outlives the deadline
          throw new Failure(
              Reasons.IMAGE_DOWNLOAD_STALLED,
              "the download did not finish within its deadline of " + policy.deadline(),
              false);
        }
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** The least a download must receive in each stall timeout to be making progress. */
  static final long MIN_PER_STALL_WINDOW = 64 << 10;

  private static Failure tooLarge(DownloadPolicy policy) {
    return new Failure(
        Reasons.IMAGE_TOO_LARGE,
        "the image is larger than the node allows ("
            + Quantities.human(policy.maxBytes())
            + ", "
            + policy.settings().maxSize
            + ")",
        true);
  }

  /**
   * A connection that gives up when nothing arrives for the stall timeout, or by the deadline,
   * whichever comes first (each read waits at most that long; the loop checks the deadline).
   */
  private HttpURLConnection open(URI u, DownloadPolicy policy, Instant deadline) throws Failure {
    long left = Math.max(1, deadline.toEpochMilli() - clock.millis());
    int wait = (int) Math.min(Integer.MAX_VALUE, Math.min(policy.stallTimeout().toMillis(), left));
    try {
      URL url = u.toURL();
      HttpURLConnection c = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
      c.setInstanceFollowRedirects(false);
      c.setConnectTimeout(wait);
      c.setReadTimeout(wait);
      c.setUseCaches(false);
      c.setRequestProperty("User-Agent", "kvmop");
      return c;
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new Failure(Reasons.INVALID_IMAGE_URL, "the URL is malformed: " + e.getMessage(), true);
    } catch (IOException e) {
      throw new Failure(Reasons.IMAGE_DOWNLOAD_FAILED, "cannot open a connection: " + e, false);
    }
  }

  /** Where a download stands, for status. */
  public interface Progress {
    void total(long bytes);

    void received(long bytes);

    /** Whether anyone still wants the download: checked before it starts and after each read. */
    default boolean wanted() {
      return true;
    }
  }

  /** Counts bytes into two atomics. */
  public record Counter(
      AtomicLong totalBytes, AtomicLong doneBytes, java.util.function.BooleanSupplier stillWanted)
      implements Progress {
    public Counter(AtomicLong totalBytes, AtomicLong doneBytes) {
      this(totalBytes, doneBytes, () -> true);
    }

    @Override
    public boolean wanted() {
      return stillWanted.getAsBoolean();
    }

    @Override
    public void total(long bytes) {
      totalBytes.set(bytes);
    }

    @Override
    public void received(long bytes) {
      doneBytes.addAndGet(bytes);
    }
  }
}
