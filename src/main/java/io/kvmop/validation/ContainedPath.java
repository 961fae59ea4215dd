package io.kvmop.validation;

import java.nio.file.Path;

/**
 * A path built from a base directory and names that came from user text (a namespace, a resource
 * name, a kind), proven to stay inside the base: each name must be one plain path segment (no '/',
 * NUL, '.' or '..'), and the normalised result must still start with the base. Anything else is
 * refused with an exception rather than resolved somewhere unexpected.
 */
public final class ContainedPath {
  private ContainedPath() {}

  public static Path resolve(Path base, String... names) {
    Path p = base;
    for (String n : names) {
      if (!segment(n)) {
        throw new IllegalArgumentException(
            "'" + SafeText.quote(n) + "' cannot be part of a path under " + base);
      }
      p = p.resolve(n);
    }
    Path normal = p.normalize();
    if (!normal.startsWith(base.normalize()) || normal.equals(base.normalize())) {
      throw new IllegalArgumentException(p + " leads outside " + base);
    }
    return normal;
  }

  /** Whether {@code n} is one plain, printable path segment. */
  public static boolean segment(String n) {
    return n != null
        && !n.isEmpty()
        && n.length() <= 255
        && !n.equals(".")
        && !n.equals("..")
        && n.indexOf('/') < 0
        && SafeText.problem("name", n, 255) == null;
  }

  /** {@code n} when it is a DNS-1123 label, else a stable stand-in that is one. */
  public static String label(String n) {
    return ResourceNames.labelProblem("name", n) == null
        ? n
        : "invalid-"
            + java.util
                .UUID
                .nameUUIDFromBytes(
                    String.valueOf(n).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString()
                .replace("-", "")
                .substring(0, 16);
  }
}
