package io.kvmop.cli;

import io.kvmop.libvirt.JnaLibvirt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kvmop port-forward NAME LOCAL:REMOTE}: a TCP port of the guest on a local port. */
@Command(
    name = "port-forward",
    mixinStandardHelpOptions = true,
    description = "Forward a local port to a TCP port of the machine (its first address).")
public final class PortForwardCommand extends ForwardCommand {
  @Parameters(index = "1", description = "LOCAL:REMOTE, e.g. 8080:80 (LOCAL 0: any free port).")
  String ports;

  @Option(names = "--address", description = "The guest address (default: its first one).")
  String address;

  private int[] parsed() {
    String[] p = ports.split(":");
    if (p.length != 2) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(this), "ports must be LOCAL:REMOTE, e.g. 8080:80");
    }
    return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
  }

  @Override
  int localPort() {
    return parsed()[0];
  }

  @Override
  Target localTarget(JnaLibvirt libvirt, String ns) {
    return guestFromHere(libvirt, ns, address, parsed()[1]);
  }

  @Override
  Target clusterTarget(AgentPod agent) {
    return guestFromNode(agent, address, parsed()[1]);
  }

  @Override
  String ready(String ns, int port) {
    return "Forwarding 127.0.0.1:"
        + port
        + " -> "
        + ns
        + "/"
        + name
        + " port "
        + parsed()[1]
        + "  (Ctrl+C stops)";
  }
}
