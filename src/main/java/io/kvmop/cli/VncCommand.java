package io.kvmop.cli;

import io.kvmop.libvirt.JnaLibvirt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kvmop vnc NAME}: the machine's VNC display on a local port. */
@Command(
    name = "vnc",
    mixinStandardHelpOptions = true,
    description = "Forward a machine's VNC display (spec.graphics) to a local port.")
public final class VncCommand extends ForwardCommand {
  @Option(names = "--port", defaultValue = "0", description = "Local port (default: any free).")
  int port;

  @Override
  int localPort() {
    return port;
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
