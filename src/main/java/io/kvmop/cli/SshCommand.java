package io.kvmop.cli;

import io.kvmop.libvirt.JnaLibvirt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvmop ssh NAME [-- SSH ARGS]}: ssh to the guest through a forwarded local port (the guest
 * may be on an isolated network only its node reaches). The guest's host key is kept where kvmop
 * controls it (~/.kvmop/known_hosts, under the machine's name, not under 127.0.0.1): accepted on
 * first use without a prompt (scripts work), refused with a clear message when it changes, and
 * {@code --forget-host-key} is the one step when it changed for a reason (a restore, a reinstall).
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

  @Option(
      names = "--known-hosts",
      description = "Where kvmop keeps the machines' host keys (default ~/.kvmop/known_hosts).")
  java.nio.file.Path knownHosts;

  @Option(
      names = "--forget-host-key",
      description =
          "Forget the machine's recorded host key first: after a restore or a reinstall gave"
              + " the guest a new one.")
  boolean forgetHostKey;

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

  /** The file kvmop keeps host keys in. */
  java.nio.file.Path knownHostsFile() {
    return knownHosts != null
        ? knownHosts
        : java.nio.file.Path.of(System.getProperty("user.home", "/root"), ".kvmop", "known_hosts");
  }

  static String alias(String ns, String name) {
    return "kvmop-" + ns + "-" + name;
  }

  /** The ssh command line: to the forwarded port, the host key under the machine's name. */
  java.util.List<String> command(String ns, int port) {
    java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("ssh"));
    cmd.addAll(
        java.util.List.of(
            "-p",
            String.valueOf(port),
            "-o",
            "HostKeyAlias=" + alias(ns, name),
            "-o",
            "CheckHostIP=no",
            "-o",
            "UserKnownHostsFile=" + knownHostsFile(),
            "-o",
            "GlobalKnownHostsFile=/dev/null",
            "-o",
            "StrictHostKeyChecking=accept-new"));
    if (user != null) {
      cmd.addAll(java.util.List.of("-l", user));
    }
    cmd.add("127.0.0.1");
    cmd.addAll(sshArgs);
    return cmd;
  }

  @Override
  int whileListening(String ns, int port) throws Exception {
    java.nio.file.Path file = knownHostsFile();
    java.nio.file.Files.createDirectories(file.getParent());
    if (forgetHostKey && java.nio.file.Files.exists(file)) {
      Process forget =
          new ProcessBuilder("ssh-keygen", "-R", alias(ns, name), "-f", file.toString())
              .redirectErrorStream(true)
              .start();
      forget.getInputStream().readAllBytes();
      forget.waitFor();
    }
    ProcessBuilder pb = new ProcessBuilder(command(ns, port));
    StringBuilder errors = new StringBuilder();
    int exit;
    if (out == System.out) {
      Process p =
          pb.redirectInput(ProcessBuilder.Redirect.INHERIT)
              .redirectOutput(ProcessBuilder.Redirect.INHERIT)
              .start();
      // ssh's own messages pass through, and are read for a changed host key
      Thread err =
          new Thread(
              () -> {
                try (var r =
                    new java.io.BufferedReader(
                        new java.io.InputStreamReader(
                            p.getErrorStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    System.err.println(line);
                    synchronized (errors) {
                      errors.append(line).append('\n');
                    }
                  }
                } catch (java.io.IOException e) {
                  // ssh went away
                }
              });
      err.start();
      exit = p.waitFor();
      err.join(2000);
    } else {
      Process p = pb.redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
      p.getOutputStream().close();
      byte[] all = p.getInputStream().readAllBytes();
      out.write(all);
      errors.append(new String(all, java.nio.charset.StandardCharsets.UTF_8));
      exit = p.waitFor();
    }
    String said;
    synchronized (errors) {
      said = errors.toString();
    }
    if (exit == 255 && said.contains("REMOTE HOST IDENTIFICATION HAS CHANGED")) {
      out.println(
          "kvmop: the host key of machine "
              + ns
              + "/"
              + name
              + " is not the one first seen (kept in "
              + file
              + "); a restore, a reinstall or a new machine of that name makes a new one. If you"
              + " expect that: kvmop ssh "
              + name
              + ("default".equals(ns) ? "" : " -n " + ns)
              + " --forget-host-key");
    }
    return exit;
  }
}
