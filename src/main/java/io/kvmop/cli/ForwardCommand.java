package io.kvmop.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kvmop.libvirt.JnaLibvirt;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The commands that forward a local port to something only the machine's node reaches: its VNC
 * display ({@code kvmop vnc}) or a TCP port of the guest on its isolated or NAT network ({@code
 * kvmop port-forward}). With {@code --local} straight from this host; otherwise through the node's
 * agent pod (exec of {@code kvmop relay}). They run until interrupted (Ctrl+C).
 */
public abstract class ForwardCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "The KvmMachine's name.")
  String name;

  @Option(
      names = {"-n", "--namespace"},
      description = "Its namespace (default: the kubeconfig context's, else default).")
  String namespace;

  @Option(names = "--local", description = "From this host's libvirt and networks (standalone).")
  boolean local;

  @Option(
      names = "--libvirt-uri",
      defaultValue = "${env:KVMOP_LIBVIRT_URI:-qemu:///system}",
      description = "With --local: the libvirt to ask (default ${DEFAULT-VALUE}).")
  String libvirtUri;

  @Option(
      names = "--agent-namespace",
      defaultValue = "kvmop",
      description = "Where the agents' pods run (default ${DEFAULT-VALUE}).")
  String agentNamespace;

  PrintStream out = System.out;

  /** With this output instead of stdout (tests, embedding). */
  public ForwardCommand using(PrintStream out) {
    this.out = out;
    return this;
  }

  /** The local port asked for (0: any free one). */
  abstract int localPort();

  /** Where to connect from this host; or a message saying why not (then null is returned). */
  abstract Target localTarget(JnaLibvirt libvirt, String ns);

  /** Where to connect from the node, by the machine's status; null with a message otherwise. */
  abstract Target clusterTarget(AgentPod agent);

  /** What to print once the port listens. */
  abstract String ready(String ns, int port);

  record Target(String host, int port, String problem) {
    static Target problem(String why) {
      return new Target(null, 0, why);
    }
  }

  @Override
  public Integer call() throws Exception {
    if (local) {
      String ns = namespace == null ? "default" : namespace;
      try (JnaLibvirt libvirt = new JnaLibvirt(libvirtUri)) {
        Target t = localTarget(libvirt, ns);
        return t.problem() != null
            ? fail(t.problem())
            : serve(ns, TcpRelay.tcp(t.host(), t.port()));
      }
    }
    try (KubernetesClient c = new KubernetesClientBuilder().build()) {
      String ns =
          namespace != null ? namespace : c.getNamespace() == null ? "default" : c.getNamespace();
      AgentPod agent;
      try {
        agent = AgentPod.of(c, agentNamespace, ns, name);
      } catch (IllegalStateException e) {
        return fail(e.getMessage());
      }
      Target t = clusterTarget(agent);
      return t.problem() != null ? fail(t.problem()) : serve(ns, agent.relayTo(t.host(), t.port()));
    }
  }

  private int serve(String ns, Supplier<TcpRelay.Far> far) throws Exception {
    try (TcpRelay relay = TcpRelay.listen(localPort(), far)) {
      return whileListening(ns, relay.port());
    }
  }

  /** Says where it listens and forwards until interrupted (Ctrl+C ends the process). */
  int whileListening(String ns, int port) throws Exception {
    out.println(ready(ns, port));
    out.flush();
    try {
      Thread.currentThread().join();
    } catch (InterruptedException stopped) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private int fail(String why) {
    out.println("kvmop: " + why);
    return 1;
  }

  /** {@code kvmop vnc NAME}: the machine's VNC display on a local port. */
  @Command(
      name = "vnc",
      mixinStandardHelpOptions = true,
      description = "Forward a machine's VNC display (spec.graphics) to a local port.")
  public static final class Vnc extends ForwardCommand {
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

  /**
   * {@code kvmop ssh NAME [-- SSH ARGS]}: ssh to the guest through a forwarded local port (the
   * guest may be on an isolated network only its node reaches); the host key is remembered under
   * the machine's name, not under 127.0.0.1.
   */
  @Command(
      name = "ssh",
      mixinStandardHelpOptions = true,
      description = "ssh to a machine through its node (arguments after -- go to ssh).")
  public static final class Ssh extends ForwardCommand {
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
      LocalDomain d = LocalDomain.find(libvirt, ns, name);
      if (d.problem() != null) {
        return Target.problem(d.problem());
      }
      String ip = address != null ? address : d.address(libvirt).orElse(null);
      return ip == null
          ? Target.problem(ns + "/" + name + " has no address yet")
          : new Target(ip, sshPort, null);
    }

    @Override
    Target clusterTarget(AgentPod agent) {
      var s = agent.machine().getStatus();
      String ip = address != null ? address : s.ipAddresses.isEmpty() ? null : s.ipAddresses.get(0);
      return ip == null
          ? Target.problem(name + " has no address in status yet")
          : new Target(ip, sshPort, null);
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

  /** {@code kvmop port-forward NAME LOCAL:REMOTE}: a TCP port of the guest on a local port. */
  @Command(
      name = "port-forward",
      mixinStandardHelpOptions = true,
      description = "Forward a local port to a TCP port of the machine (its first address).")
  public static final class PortForward extends ForwardCommand {
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
      LocalDomain d = LocalDomain.find(libvirt, ns, name);
      if (d.problem() != null) {
        return Target.problem(d.problem());
      }
      String ip = address != null ? address : d.address(libvirt).orElse(null);
      return ip == null
          ? Target.problem(ns + "/" + name + " has no address yet (kubectl get kvm shows it)")
          : new Target(ip, parsed()[1], null);
    }

    @Override
    Target clusterTarget(AgentPod agent) {
      var s = agent.machine().getStatus();
      String ip = address != null ? address : s.ipAddresses.isEmpty() ? null : s.ipAddresses.get(0);
      return ip == null
          ? Target.problem(name + " has no address in status yet")
          : new Target(ip, parsed()[1], null);
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
}
