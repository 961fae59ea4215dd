package io.kvmop.logging;

import java.util.List;
import java.util.Locale;
import org.slf4j.event.Level;

/**
 * The agent's log level and format, fixed before the first line is logged: from {@code
 * --log-level}/{@code --log-format} on the command line, else KVMOP_LOG_LEVEL/KVMOP_LOG_FORMAT,
 * else info and text.
 */
public final class LogSettings {
  public enum Format {
    TEXT,
    JSON
  }

  private static volatile Level level = Level.INFO;
  private static volatile Format format = Format.TEXT;

  private LogSettings() {}

  public static Level level() {
    return level;
  }

  public static Format format() {
    return format;
  }

  /**
   * Reads the settings from the arguments (both {@code --flag value} and {@code --flag=value}) and
   * the environment; returns why a value is refused, or null.
   */
  public static String configure(String[] args, java.util.Map<String, String> env) {
    String lvl = flag(args, "--log-level", env.get("KVMOP_LOG_LEVEL"));
    String fmt = flag(args, "--log-format", env.get("KVMOP_LOG_FORMAT"));
    if (lvl != null && !lvl.isBlank()) {
      try {
        level = Level.valueOf(lvl.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return "--log-level " + lvl + ": must be one of error, warn, info, debug, trace";
      }
    }
    if (fmt != null && !fmt.isBlank()) {
      try {
        format = Format.valueOf(fmt.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return "--log-format " + fmt + ": must be text or json";
      }
    }
    return null;
  }

  private static String flag(String[] args, String name, String fallback) {
    List<String> a = List.of(args);
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i).equals(name) && i + 1 < a.size()) {
        return a.get(i + 1);
      }
      if (a.get(i).startsWith(name + "=")) {
        return a.get(i).substring(name.length() + 1);
      }
    }
    return fallback;
  }
}
