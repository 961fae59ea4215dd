package io.kvmop.disk;

import io.kvmop.api.ImageDownloadSpec;
import io.kvmop.api.Quantities;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What a node lets image downloads do, read from its KvmHost (or the standalone flags): names and
 * networks allowed beyond the public internet, a size cap, a stall timeout and a deadline.
 */
public record DownloadPolicy(
    List<String> allowedHosts,
    List<String> allowedNetworks,
    long maxBytes,
    Duration stallTimeout,
    Duration deadline,
    Settings settings) {
  public static final long DEFAULT_MAX = 64L << 30;

  /** Where the node's admin sets these, as messages name it: a KvmHost, or kvmop run's flags. */
  public enum Settings {
    KVMHOST(
        "the node's KvmHost spec.imageDownloads.allowedHosts or allowedNetworks",
        "KvmHost spec.imageDownloads.maxSize",
        "KvmHost spec.imageDownloads.stallTimeout"),
    FLAGS(
        "kvmop run's --download-allowed-host or --download-allowed-network",
        "kvmop run --max-image-size",
        "standalone kvmop's stall timeout");

    /** What would let an internal host be reached. */
    public final String allowing;

    public final String maxSize;
    public final String stallTimeout;

    Settings(String allowing, String maxSize, String stallTimeout) {
      this.allowing = allowing;
      this.maxSize = maxSize;
      this.stallTimeout = stallTimeout;
    }
  }

  /** The same policy, set by kvmop run's flags (standalone mode). */
  public DownloadPolicy fromFlags() {
    return new DownloadPolicy(
        allowedHosts, allowedNetworks, maxBytes, stallTimeout, deadline, Settings.FLAGS);
  }

  public static DownloadPolicy defaults() {
    return of(null);
  }

  public static DownloadPolicy of(ImageDownloadSpec spec) {
    ImageDownloadSpec s = spec == null ? new ImageDownloadSpec() : spec;
    return new DownloadPolicy(
        s.allowedHosts == null
            ? List.of()
            : s.allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList(),
        s.allowedNetworks == null ? List.of() : List.copyOf(s.allowedNetworks),
        Quantities.bytes(s.maxSize).filter(b -> b > 0).orElse(DEFAULT_MAX),
        Quantities.duration(s.stallTimeout).filter(d -> !d.isZero()).orElse(Duration.ofSeconds(60)),
        Quantities.duration(s.deadline).filter(d -> !d.isZero()).orElse(Duration.ofHours(6)),
        Settings.KVMHOST);
  }
}
