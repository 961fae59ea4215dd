package io.kvmop.api;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The spec's quantities, parsed in one place, as Kubernetes users write them: sizes as Kubernetes
 * quantities (512Mi, 1.5Gi, 2G, 512M, 1e9, or a plain number of bytes) and durations as Go and
 * kubectl write them (500ms, 90s, 1m30s, 1.5h); both written back as messages show them.
 */
public final class Quantities {
  /** A Kubernetes quantity: a decimal number, then a binary or decimal suffix or an exponent. */
  public static final String SIZE_PATTERN =
      "^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|[eE][0-9]{1,2})?$";

  /** A Go duration: one or more decimal numbers, each with its unit (ns, us, ms, s, m, h). */
  public static final String DURATION_PATTERN =
      "^(0|([0-9]+(\\.[0-9]*)?(ns|us|\u00b5s|ms|s|m|h))+)$";

  private static final Pattern SIZE = Pattern.compile(SIZE_PATTERN);
  private static final Pattern DURATION = Pattern.compile(DURATION_PATTERN);
  private static final Pattern DURATION_PART =
      Pattern.compile("([0-9]+(?:\\.[0-9]*)?)(ns|us|\u00b5s|ms|s|m|h)");
  private static final String[] UNITS = {"Ki", "Mi", "Gi", "Ti"};
  private static final java.math.BigDecimal MAX_LONG = java.math.BigDecimal.valueOf(Long.MAX_VALUE);

  private Quantities() {}

  /**
   * A size in bytes (a fraction of a byte rounds up, as Kubernetes rounds); empty when it is not a
   * quantity or does not fit in a long.
   */
  public static Optional<Long> bytes(String text) {
    if (text == null || text.length() > 40) {
      return Optional.empty();
    }
    Matcher m = SIZE.matcher(text.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    java.math.BigDecimal n = new java.math.BigDecimal(m.group(1));
    String suffix = m.group(3) == null ? "" : m.group(3);
    java.math.BigDecimal factor =
        switch (suffix) {
          case "" -> java.math.BigDecimal.ONE;
          case "Ki" -> java.math.BigDecimal.valueOf(1L << 10);
          case "Mi" -> java.math.BigDecimal.valueOf(1L << 20);
          case "Gi" -> java.math.BigDecimal.valueOf(1L << 30);
          case "Ti" -> java.math.BigDecimal.valueOf(1L << 40);
          case "Pi" -> java.math.BigDecimal.valueOf(1L << 50);
          case "Ei" -> java.math.BigDecimal.valueOf(1L << 60);
          case "k" -> java.math.BigDecimal.TEN.pow(3);
          case "M" -> java.math.BigDecimal.TEN.pow(6);
          case "G" -> java.math.BigDecimal.TEN.pow(9);
          case "T" -> java.math.BigDecimal.TEN.pow(12);
          case "P" -> java.math.BigDecimal.TEN.pow(15);
          case "E" -> java.math.BigDecimal.TEN.pow(18);
          default -> java.math.BigDecimal.TEN.pow(Integer.parseInt(suffix.substring(1)));
        };
    java.math.BigDecimal b = n.multiply(factor).setScale(0, java.math.RoundingMode.CEILING);
    return b.compareTo(MAX_LONG) > 0 ? Optional.empty() : Optional.of(b.longValueExact());
  }

  /** A size in KiB (whole KiB, rounded down); empty when it is not one. */
  public static Optional<Long> kib(String size) {
    return bytes(size).map(b -> b >> 10);
  }

  /** A duration; empty when it is not one or is longer than about 290 years. */
  public static Optional<Duration> duration(String text) {
    if (text == null || text.length() > 64 || !DURATION.matcher(text.strip()).matches()) {
      return Optional.empty();
    }
    java.math.BigDecimal nanos = java.math.BigDecimal.ZERO;
    Matcher m = DURATION_PART.matcher(text.strip());
    while (m.find()) {
      long unit =
          switch (m.group(2)) {
            case "ns" -> 1L;
            case "us", "\u00b5s" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
          };
      nanos =
          nanos.add(
              new java.math.BigDecimal(m.group(1)).multiply(java.math.BigDecimal.valueOf(unit)));
    }
    nanos = nanos.setScale(0, java.math.RoundingMode.DOWN);
    return nanos.compareTo(MAX_LONG) > 0
        ? Optional.empty()
        : Optional.of(Duration.ofNanos(nanos.longValueExact()));
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
