package io.kvmop.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.kvmop.libvirt.ConsoleStream;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.machine.MachineNaming;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvmop console NAME}: the machine's serial console, interactive, like virsh console (Ctrl+]
 * leaves). With {@code --local} through this host's libvirt (standalone mode, or inside the agent
 * pod); otherwise through the machine's node agent pod with the Kubernetes API's exec, so
 * Kubernetes RBAC decides who may and no port is opened on the node. The serial log file keeps
 * being written meanwhile.
 */
@Command(
    name = "console",
    mixinStandardHelpOptions = true,
    description = "Attach to a machine's serial console (Ctrl+] to leave).")
public final class ConsoleCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "The KvmMachine's name.")
  String name;

  @Option(
      names = {"-n", "--namespace"},
      description = "Its namespace (default: the kubeconfig context's, else default).")
  String namespace;

  @Option(
      names = "--local",
      description = "Attach through this host's libvirt (standalone mode; the agent pod uses it).")
  boolean local;

  @Option(
      names = "--libvirt-uri",
      defaultValue = "${env:KVMOP_LIBVIRT_URI:-qemu:///system}",
      description = "With --local: the libvirt to attach through (default ${DEFAULT-VALUE}).")
  String libvirtUri;

  @Option(names = "--force", description = "Take the console from another session.")
  boolean force;

  @Option(
      names = "--agent-namespace",
      defaultValue = "kvmop",
      description = "Where the agents' pods run (default ${DEFAULT-VALUE}).")
  String agentNamespace;

  InputStream in = System.in;
  PrintStream out = System.out;

  /** With these streams instead of the terminal's (tests, embedding). */
  public ConsoleCommand using(InputStream in, PrintStream out) {
    this.in = in;
    this.out = out;
    return this;
  }

  @Override
  public Integer call() throws Exception {
    return local ? attachLocally() : attachThroughAgent();
  }

  private int attachLocally() throws Exception {
    String ns = namespace == null ? "default" : namespace;
    String domain = MachineNaming.of(ns, name, "", "/").domainName();
    try (JnaLibvirt libvirt = new JnaLibvirt(libvirtUri)) {
      LocalDomain d = LocalDomain.find(libvirt, ns, name);
      if (d.problem() != null) {
        out.println("kvmop: " + d.problem());
        return 1;
      }
      ConsoleStream opened;
      try {
        opened = libvirt.domains().openConsole(domain, force);
      } catch (LibvirtError e) {
        out.println("kvmop: " + consoleRefused(ns, e));
        return 1;
      }
      try (ConsoleStream console = opened;
          Terminal raw = Terminal.raw(in == System.in)) {
        out.print("Connected to " + ns + "/" + name + " (domain " + domain + ")\r\n");
        out.print("Escape character is ^] (Ctrl + ])\r\n");
        out.flush();
        ConsoleBridge.run(console, in, out);
      }
      out.print("\r\n");
      out.flush();
      return 0;
    }
  }

  /** Why the console could not be opened, with what to do (never a stack trace). */
  String consoleRefused(String ns, LibvirtError e) {
    String m = String.valueOf(e.libvirtMessage());
    if (!force && m.toLowerCase(java.util.Locale.ROOT).contains("active console session")) {
      return "the console of "
          + ns
          + "/"
          + name
          + " is in use by another session; kvmop console "
          + name
          + ("default".equals(ns) ? "" : " -n " + ns)
          + " --force takes it over";
    }
    return "cannot open the console of " + ns + "/" + name + ": " + m + " (" + e.code() + ")";
  }

  /** What runs in the agent's pod: this command, local there (--force passed on). */
  String[] agentCommand(String ns) {
    java.util.List<String> c =
        new java.util.ArrayList<>(
            java.util.List.of(
                "java", "-jar", "/opt/kvmop/kvmop.jar", "console", name, "-n", ns, "--local"));
    if (force) {
      c.add("--force");
    }
    return c.toArray(new String[0]);
  }

  /** exec `kvmop console NAME --local` in the agent pod on the machine's node, with a terminal. */
  private int attachThroughAgent() throws Exception {
    try (KubernetesClient c = ClusterClient.open()) {
      String ns =
          namespace != null ? namespace : c.getNamespace() == null ? "default" : c.getNamespace();
      AgentPod agent;
      try {
        agent = AgentPod.of(c, agentNamespace, ns, name);
      } catch (IllegalStateException e) {
        out.println("kvmop: " + e.getMessage());
        return 1;
      }
      String pod = agent.pod();
      try (Terminal raw = Terminal.raw(in == System.in);
          ExecWatch w =
              c.pods()
                  .inNamespace(agentNamespace)
                  .withName(pod)
                  .inContainer("agent")
                  .redirectingInput()
                  .writingOutput(out)
                  .writingError(System.err)
                  .withTTY()
                  .exec(agentCommand(ns))) {
        byte[] buf = new byte[1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
          w.getInput().write(buf, 0, n);
          w.getInput().flush();
          if (contains(buf, n, ConsoleBridge.ESCAPE)) {
            break;
          }
        }
        w.exitCode().get(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException ended) {
        // the remote side keeps going briefly after the escape; the session is over for us
      }
      return 0;
    }
  }

  private static boolean contains(byte[] buf, int n, int b) {
    for (int i = 0; i < n; i++) {
      if (buf[i] == b) {
        return true;
      }
    }
    return false;
  }
}
