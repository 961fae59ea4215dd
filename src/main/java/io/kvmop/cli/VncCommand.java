package io.kvmop.cli;

import io.kvmop.host.HostFiles;
import io.kvmop.libvirt.JnaLibvirt;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kvmop vnc NAME}: the machine's VNC display on a local port, and a VNC viewer started on it
 * when one is installed (the forwarding ends when the viewer exits).
 */
@Command(
    name = "vnc",
    mixinStandardHelpOptions = true,
    description = "Forward a machine's VNC display (spec.graphics) to a local port.")
public final class VncCommand extends ForwardCommand {
  @Option(names = "--port", defaultValue = "0", description = "Local port (default: any free).")
  int port;

  @Option(
      names = "--viewer",
      defaultValue = "auto",
      description =
          "The VNC viewer to start: auto (remote-viewer, vncviewer, xtightvncviewer or gvncviewer,"
              + " the first installed, when a display is set), none (only forward), or a program"
              + " (given the address as 127.0.0.1::PORT).")
  String viewer;

  /** The viewers auto looks for, in order. */
  static final List<String> VIEWERS =
      List.of("remote-viewer", "vncviewer", "xtightvncviewer", "gvncviewer");

  @Override
  int localPort() {
    return port;
  }

  /** The viewer's command line for the forwarded port; empty when none is to be started. */
  List<String> viewerCommand(int port, Map<String, String> env) {
    String program = viewer;
    if ("none".equals(viewer)) {
      return List.of();
    }
    if ("auto".equals(viewer)) {
      if (env.get("DISPLAY") == null && env.get("WAYLAND_DISPLAY") == null) {
        return List.of();
      }
      program =
          VIEWERS.stream()
              .filter(v -> HostFiles.onPath(v, env.get("PATH")))
              .findFirst()
              .orElse(null);
      if (program == null) {
        return List.of();
      }
    }
    String address =
        program.endsWith("remote-viewer") ? "vnc://127.0.0.1:" + port : "127.0.0.1::" + port;
    return List.of(program, address);
  }

  @Override
  int whileListening(String ns, int port) throws Exception {
    List<String> cmd = viewerCommand(port, System.getenv());
    if (cmd.isEmpty()) {
      return super.whileListening(ns, port);
    }
    out.println(
        "VNC of "
            + ns
            + "/"
            + name
            + " on 127.0.0.1:"
            + port
            + "; starting "
            + String.join(" ", cmd)
            + " (forwarding ends when it exits)");
    out.flush();
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      out.println("kvmop: cannot start " + cmd.get(0) + ": " + e.getMessage());
      return 1;
    }
    p.getOutputStream().close();
    p.getInputStream().transferTo(out);
    return p.waitFor();
  }

  @Override
  Target localTarget(JnaLibvirt libvirt, String ns) {
    LocalDomain d = LocalDomain.find(libvirt, ns, name);
    if (d.problem() != null) {
      return Target.problem(d.problem());
    }
    var g = d.state().live() == null ? null : d.state().live().devices().graphics();
    if (g == null || g.isEmpty() || g.get(0).port() == null || g.get(0).port() <= 0) {
      return Target.problem(ns + "/" + name + " has no display (spec.graphics: {type: vnc})");
    }
    return new Target("127.0.0.1", g.get(0).port(), null);
  }

  @Override
  Target clusterTarget(AgentPod agent) {
    var g = agent.machine().getStatus().graphics;
    if (g == null || g.port == null) {
      return Target.problem(
          name + " shows no display in status (spec.graphics: {type: vnc}, and running?)");
    }
    return new Target("127.0.0.1", g.port, null);
  }

  @Override
  String ready(String ns, int port) {
    return "VNC of "
        + ns
        + "/"
        + name
        + " on 127.0.0.1:"
        + port
        + "; view it with: vncviewer 127.0.0.1::"
        + port
        + "  (Ctrl+C stops forwarding)";
  }
}
