package io.kvmop.disk;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as the spec writes them (20Gi) and as messages show them. */
public final class Sizes {
  private static final Pattern SIZE = Pattern.compile("^([0-9]{1,12})(Ki|Mi|Gi|Ti)$");
  private static final String[] UNITS = {"Ki", "Mi", "Gi", "Ti"};

  private Sizes() {}

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
}
