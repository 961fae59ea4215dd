package io.kvmop.machine;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of the spec's memory sizes (512Mi, 2Gi) and durations (90s, 2m). */
public final class Quantities {
  private static final Pattern SIZE = Pattern.compile("^([0-9]{1,12})(Ki|Mi|Gi|Ti)$");
  private static final Pattern DURATION = Pattern.compile("^([0-9]{1,9})(ms|s|m|h)$");

  private Quantities() {}

  public static Optional<Long> kib(String size) {
    if (size == null) {
      return Optional.empty();
    }
    Matcher m = SIZE.matcher(size);
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    long factor =
        switch (m.group(2)) {
          case "Ki" -> 1L;
          case "Mi" -> 1024L;
          case "Gi" -> 1024L * 1024;
          default -> 1024L * 1024 * 1024;
        };
    return n > Long.MAX_VALUE / factor ? Optional.empty() : Optional.of(n * factor);
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
