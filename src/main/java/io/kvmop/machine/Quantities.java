package io.kvmop.machine;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of the spec's memory sizes (512Mi, 2Gi) and durations (90s, 2m). */
public final class Quantities {
  private static final Pattern DURATION = Pattern.compile("^([0-9]{1,9})(ms|s|m|h)$");

  private Quantities() {}

  /** A size (512Mi, 2Gi) in KiB; empty when it is not one. */
  public static Optional<Long> kib(String size) {
    return io.kvmop.disk.Sizes.bytes(size).map(b -> b >> 10);
  }

  public static Optional<Duration> duration(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    return Optional.of(
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        });
  }

  public static String humanKib(long kib) {
    if (kib % (1024L * 1024) == 0) {
      return kib / (1024L * 1024) + "Gi";
    }
    if (kib % 1024 == 0) {
      return kib / 1024 + "Mi";
    }
    return kib + "Ki";
  }
}
