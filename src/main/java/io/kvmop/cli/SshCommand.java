package io.kvmop.cli;

import io.kvmop.libvirt.JnaLibvirt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvmop ssh NAME [-- SSH ARGS]}: ssh to the guest through a forwarded local port (the guest
 * may be on an isolated network only its node reaches); the host key is remembered under the
 * machine's name, not under 127.0.0.1.
 */
@Command(
    name = "ssh",
    mixinStandardHelpOptions = true,
    description = "ssh to a machine through its node (arguments after -- go to ssh).")
public final class SshCommand extends ForwardCommand {
  @Option(
      names = {"-l", "--user"},
      description = "The user to log in as.")
  String user;

  @Option(names = "--port", defaultValue = "22", description = "The guest's ssh port.")
  int sshPort;

  @Option(names = "--address", description = "The guest address (default: its first one).")
  String address;

  @Parameters(index = "1..*", description = "Arguments for ssh (after --).")
  java.util.List<String> sshArgs = new java.util.ArrayList<>();

  @Override
  int localPort() {
    return 0;
  }

  @Override
  Target localTarget(JnaLibvirt libvirt, String ns) {
    return guestFromHere(libvirt, ns, address, sshPort);
  }

  @Override
  Target clusterTarget(AgentPod agent) {
    return guestFromNode(agent, address, sshPort);
  }

  @Override
  String ready(String ns, int port) {
    return "";
  }

  /** The ssh command line: to the forwarded port, the host key under the machine's name. */
  java.util.List<String> command(String ns, int port) {
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("ssh"));
    cmd.addAll(
        java.util.List.of(
            "-p",
            String.valueOf(port),
            "-o",
            "HostKeyAlias=kvmop-" + ns + "-" + name,
            "-o",
            "CheckHostIP=no"));
    if (user != null) {
      cmd.addAll(java.util.List.of("-l", user));
    }
    cmd.add("127.0.0.1");
    cmd.addAll(sshArgs);
    return cmd;
  }

  @Override
  int whileListening(String ns, int port) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command(ns, port));
    if (out == System.out) {
      return pb.inheritIO().start().waitFor();
    }
    Process p = pb.redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    p.getOutputStream().close();
    p.getInputStream().transferTo(out);
    return p.waitFor();
  }
}
