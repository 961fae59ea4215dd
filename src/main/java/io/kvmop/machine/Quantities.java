package io.kvmop.machine;

import java.time.Duration;
import java.util.Optional;

/** Parsing of the spec's memory sizes (512Mi, 2Gi) and durations (90s, 2m). */
public final class Quantities {

  private Quantities() {}

  /** A size (512Mi, 2Gi) in KiB; empty when it is not one. */
  public static Optional<Long> kib(String size) {
    return io.kvmop.disk.Sizes.bytes(size).map(b -> b >> 10);
  }

  public static Optional<Duration> duration(String text) {
    return io.kvmop.validation.Durations.parse(text);
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
