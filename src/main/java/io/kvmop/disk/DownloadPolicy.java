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
    Duration deadline) {
  public static final long DEFAULT_MAX = 64L << 30;

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
        io.kvmop.api.Quantities.duration(s.stallTimeout)
            .filter(d -> !d.isZero())
            .orElse(Duration.ofSeconds(60)),
        io.kvmop.api.Quantities.duration(s.deadline)
            .filter(d -> !d.isZero())
            .orElse(Duration.ofHours(6)));
  }
}
