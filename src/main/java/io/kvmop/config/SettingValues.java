package io.kvmop.config;

import io.kvmop.migration.MigrationUris;
import io.kvmop.network.Ipv4;
import java.time.Duration;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * How the agent's settings read their values (seconds, a migration URI, an overlay address), and
 * how a value that does not read is named back to the user: by the flag if it was typed, else by
 * the environment variable it came from ({@code KVMOP_HOST_RECHECK_SECONDS='soon': not a number of
 * seconds}).
 */
public final class SettingValues {
  private SettingValues() {}

  /** A duration in seconds, fractions allowed (0.5). */
  public static final class Seconds implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        double s = Double.parseDouble(value.strip());
        if (s < 0 || Double.isNaN(s) || Double.isInfinite(s)) {
          throw new TypeConversionException("not a number of seconds of 0 or more");
        }
        return Duration.ofMillis(Math.round(s * 1000));
      } catch (NumberFormatException e) {
        throw new TypeConversionException("not a number of seconds (e.g. 5 or 0.5)");
      }
    }
  }

  /** A libvirt URI other nodes' libvirtd reach this one by, or empty. */
  public static final class MigrationUri implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String u = value.strip();
      String why = u.isEmpty() ? null : MigrationUris.problem(u);
      if (why != null) {
        throw new TypeConversionException(why);
      }
      return u;
    }
  }

  /** The node's own IPv4 address, or empty. */
  public static final class OverlayAddress implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      String a = value.strip();
      if (!a.isEmpty() && Ipv4.parse(a).isEmpty()) {
        throw new TypeConversionException("not an IPv4 address (the node's own, e.g. 10.0.0.12)");
      }
      return a;
    }
  }

  /**
   * What went wrong, naming the setting as the user gave it: {@code --flag='value': why} when the
   * flag is among {@code args}, {@code VARIABLE='value': why} when the value came from the
   * environment. Anything else keeps picocli's own message.
   */
  public static String named(CommandLine.ParameterException e, String[] args) {
    if (!(e.getArgSpec() instanceof CommandLine.Model.OptionSpec opt)
        || !(e.getCause() instanceof TypeConversionException why)
        || e.getValue() == null) {
      return e.getMessage();
    }
    boolean typed =
        Arrays.stream(args)
            .anyMatch(
                a ->
                    Arrays.stream(opt.names()).anyMatch(n -> a.equals(n) || a.startsWith(n + "=")));
    String name = typed ? opt.longestName() : AgentOptions.variable(opt.longestName());
    String said = why.getMessage();
    String echo = "'" + e.getValue() + "' is "; // picocli's own converters repeat the value
    return name
        + "='"
        + e.getValue()
        + "': "
        + (said != null && said.startsWith(echo) ? said.substring(echo.length()) : said);
  }
}
