package io.kvmop.validation;

/**
 * Free text from a spec (a kernel command line, a host name, a CPU model) as kvmop accepts it: no
 * control characters and nothing XML 1.0 cannot carry (lone surrogates, U+FFFE, U+FFFF), so it can
 * go into libvirt XML and files unchanged. Messages quote user text only through {@link #quote},
 * which shows control characters as escapes and shortens long values.
 */
public final class SafeText {
  private SafeText() {}

  /** Why {@code value} cannot be used as text in {@code field}, or null. */
  public static String problem(String field, String value, int maxLength) {
    return problem(field, value, maxLength, false);
  }

  /**
   * @param multiline whether line breaks and tabs are allowed (user-data, network-config)
   */
  public static String problem(String field, String value, int maxLength, boolean multiline) {
    if (value == null) {
      return null;
    }
    if (value.length() > maxLength) {
      return field + " is " + value.length() + " characters long; at most " + maxLength;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!(multiline && (c == '\n' || c == '\r' || c == '\t')) && !allowed(value, i)) {
        return field
            + " contains the control or invalid character U+"
            + String.format("%04X", (int) c)
            + " at position "
            + i
            + "; use printable text only";
      }
      if (Character.isHighSurrogate(c)) {
        i++;
      }
    }
    return null;
  }

  private static boolean allowed(String s, int i) {
    char c = s.charAt(i);
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0xfffe || c == 0xffff) {
      return false;
    }
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return !Character.isLowSurrogate(c);
  }

  /** User text for a message: control characters escaped, at most 80 characters. */
  public static String quote(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < value.length() && b.length() < 80; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || Character.isSurrogate(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    if (b.length() >= 80 && value.length() > 80) {
      b.append("...");
    }
    return b.toString();
  }
}
