package io.kvmop.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kvmop.libvirt.JnaLibvirt;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
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

  /** A TCP port of the guest's first address (or {@code address}), seen from this host. */
  Target guestFromHere(JnaLibvirt libvirt, String ns, String address, int port) {
    LocalDomain d = LocalDomain.find(libvirt, ns, name);
    if (d.problem() != null) {
      return Target.problem(d.problem());
    }
    String ip = address != null ? address : d.address(libvirt).orElse(null);
    return ip == null
        ? Target.problem(ns + "/" + name + " has no address yet (kubectl get kvm shows it)")
        : new Target(ip, port, null);
  }

  /** A TCP port of the guest's first address in status (or {@code address}), from its node. */
  Target guestFromNode(AgentPod agent, String address, int port) {
    var s = agent.machine().getStatus();
    String ip = address != null ? address : s.ipAddresses.isEmpty() ? null : s.ipAddresses.get(0);
    return ip == null
        ? Target.problem(name + " has no address in status yet")
        : new Target(ip, port, null);
  }

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
    try (KubernetesClient c = ClusterClient.open()) {
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
}
