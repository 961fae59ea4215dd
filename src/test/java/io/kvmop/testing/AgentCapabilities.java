package io.kvmop.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Linux capabilities the chart leaves the agent (ChartTest checks the chart adds exactly these
 * after dropping ALL). Tests that start the agent as a process on the real libvirtd run it with
 * only these in its bounding set (setpriv), so they show the set is enough.
 */
public final class AgentCapabilities {
  public static final List<String> KEPT = List.of("NET_ADMIN", "CHOWN", "DAC_READ_SEARCH");

  private AgentCapabilities() {}

  /** The command run under setpriv with only {@link #KEPT}, when running as root with setpriv. */
  public static List<String> confine(List<String> command) {
    if (!"root".equals(System.getProperty("user.name")) || !Files.isExecutable(SETPRIV)) {
      return command;
    }
    StringBuilder bounding = new StringBuilder("-all");
    KEPT.forEach(c -> bounding.append(",+").append(c.toLowerCase(Locale.ROOT)));
    List<String> out = new ArrayList<>(List.of(SETPRIV.toString(), "--bounding-set=" + bounding));
    out.add("--inh-caps=-all");
    out.addAll(command);
    return out;
  }

  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
}
