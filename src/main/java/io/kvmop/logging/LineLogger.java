package io.kvmop.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * One logger of the agent: each call is one line on stderr, as text ({@code [thread] LEVEL logger -
 * message}, then the stack trace) or as one JSON object (time, level, logger, thread, message,
 * error), at the level {@link LogSettings} gives.
 */
final class LineLogger extends LegacyAbstractLogger {
  private static final long serialVersionUID = 1L;

  LineLogger(String name) {
    this.name = name;
  }

  private static boolean on(Level l) {
    return l.toInt() >= LogSettings.level().toInt();
  }

  @Override
  public boolean isTraceEnabled() {
    return on(Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return on(Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return on(Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return on(Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return on(Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] args, Throwable error) {
    String message = MessageFormatter.basicArrayFormat(pattern, args);
    String line =
        LogSettings.format() == LogSettings.Format.JSON
            ? json(Instant.now(), level, name, Thread.currentThread().getName(), message, error)
            : text(level, name, Thread.currentThread().getName(), message, error);
    System.err.print(line); // one print per line: lines of two threads never interleave
  }

  static String text(Level level, String logger, String thread, String message, Throwable error) {
    String line = "[" + thread + "] " + level + " " + logger + " - " + message + "\n";
    return error == null ? line : line + stackTrace(error);
  }

  static String json(
      Instant time, Level level, String logger, String thread, String message, Throwable error) {
    StringBuilder b = new StringBuilder(128);
    b.append("{\"time\":\"").append(time).append('"');
    field(b, "level", level.toString());
    field(b, "logger", logger);
    field(b, "thread", thread);
    field(b, "message", message);
    if (error != null) {
      field(b, "error", stackTrace(error));
    }
    return b.append("}\n").toString();
  }

  private static void field(StringBuilder b, String key, String value) {
    b.append(",\"").append(key).append("\":\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  private static String stackTrace(Throwable error) {
    StringWriter w = new StringWriter();
    error.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
