package io.kvmop.api;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The spec's quantities, parsed in one place: sizes (512Mi, 20Gi) in bytes or KiB, durations
 * (500ms, 90s, 2m, 6h), and both written back as messages show them.
 */
public final class Quantities {
  private static final Pattern SIZE = Pattern.compile("^([0-9]{1,12})(Ki|Mi|Gi|Ti)$");
  private static final String[] UNITS = {"Ki", "Mi", "Gi", "Ti"};
  private static final Pattern DURATION = Pattern.compile("^([0-9]{1,9})(ms|s|m|h)$");

  private Quantities() {}

  /** A size in bytes; empty when it is not one. */
  public static Optional<Long> bytes(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    int shift =
        switch (m.group(2)) {
          case "Ki" -> 10;
          case "Mi" -> 20;
          case "Gi" -> 30;
          default -> 40;
        };
    long n = Long.parseLong(m.group(1));
    if (n > (Long.MAX_VALUE >> shift)) {
      return Optional.empty();
    }
    return Optional.of(n << shift);
  }

  /** A size (512Mi, 2Gi) in KiB; empty when it is not one. */
  public static Optional<Long> kib(String size) {
    return bytes(size).map(b -> b >> 10);
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

  /** Exact when it can be (20Gi), else bytes. */
  public static String human(long bytes) {
    for (int i = UNITS.length - 1; i >= 0; i--) {
      long unit = 1L << (10 * (i + 1));
      if (bytes >= unit && bytes % unit == 0) {
        return (bytes / unit) + UNITS[i];
      }
    }
    return bytes + " bytes";
  }

  public static String humanKib(long kib) {
    return kib % 1024 == 0 ? human(kib << 10) : kib + "Ki";
  }
}
