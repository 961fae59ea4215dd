package io.kvmop.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.MachineRequestStatus;
import io.kvmop.machine.PowerRequests;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvmop start|stop|restart|pause|unpause NAME}: asks the machine's node agent for one power
 * action without writing spec (GitOps sees no diff): the annotation kvmop.io/request gets the verb
 * and a new token, and the command waits for the agent's answer in status.request. Kubernetes RBAC
 * decides who may (patch on kvmmachines). Exit 0 when done, 1 when refused, 2 when no answer came.
 */
public abstract class PowerCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "The KvmMachine's name.")
  String name;

  @Option(
      names = {"-n", "--namespace"},
      description = "Its namespace (default: the kubeconfig context's, else default).")
  String namespace;

  @Option(names = "--wait", defaultValue = "120", description = "Seconds to wait for the answer.")
  int waitSeconds;

  @Option(
      names = "--manifests",
      description =
          "Standalone: the manifest directory kvmop run reconciles (the request goes to its status"
              + " directory, never to the manifests).")
  java.nio.file.Path manifests;

  @Option(names = "--status-dir", description = "Standalone: the status directory (DIR/.status).")
  java.nio.file.Path statusDir;

  /** The client; tests give one of their own. */
  KubernetesClient client;

  PrintStream out = System.out;

  abstract String verb();

  /** With this client and output instead of the kubeconfig's and stdout (tests, embedding). */
  public PowerCommand using(KubernetesClient client, PrintStream out) {
    this.client = client;
    this.out = out;
    return this;
  }

  @Override
  public Integer call() throws Exception {
    if (manifests != null) {
      return new StandalonePower(
              statusDir != null ? statusDir : manifests.resolve(".status"), out, waitSeconds)
          .ask(namespace == null ? "default" : namespace, name, token());
    }
    try (KubernetesClient c = client != null ? null : ClusterClient.open()) {
      return run(client != null ? client : c);
    }
  }

  int run(KubernetesClient c) throws InterruptedException {
    String ns = namespace != null ? namespace : namespaceOf(c);
    var machine = c.resources(KvmMachine.class).inNamespace(ns).withName(name);
    if (machine.get() == null) {
      out.println("kvmop: KvmMachine " + ns + "/" + name + " not found");
      return 1;
    }
    String token = token();
    machine.edit(
        m -> {
          m.getMetadata().setAnnotations(withRequest(m.getMetadata().getAnnotations(), token));
          return m;
        });
    String[] shown = {null};
    MachineRequestStatus[] answer = {null};
    try {
      machine.waitUntilCondition( // a watch: each change of the machine is looked at, no polling
          m -> {
            MachineRequestStatus a =
                m == null || m.getStatus() == null ? null : m.getStatus().request;
            if (a == null || !token.equals(a.request)) {
              return false;
            }
            if (PowerRequests.IN_PROGRESS.equals(a.outcome)) {
              if (!a.message.equals(shown[0])) {
                out.println(ns + "/" + name + ": " + a.message + " ...");
                shown[0] = a.message;
              }
              return false;
            }
            answer[0] = a;
            return true;
          },
          waitSeconds,
          java.util.concurrent.TimeUnit.SECONDS);
      boolean done = PowerRequests.DONE.equals(answer[0].outcome);
      out.println(
          (done ? "" : "refused (" + answer[0].reason + "): ")
              + ns
              + "/"
              + name
              + ": "
              + answer[0].message);
      return done ? 0 : 1;
    } catch (io.fabric8.kubernetes.client.KubernetesClientTimeoutException noAnswer) {
      // said below
    }
    out.println(
        "kvmop: no answer from "
            + ns
            + "/"
            + name
            + "'s node agent within "
            + waitSeconds
            + " s (kubectl describe kvm "
            + name
            + " -n "
            + ns
            + ")");
    return 2;
  }

  /** A new request: the verb and a token used once. */
  String token() {
    return verb()
        + " "
        + Instant.now().toEpochMilli()
        + "-"
        + ThreadLocalRandom.current().nextInt(1000);
  }

  private static Map<String, String> withRequest(Map<String, String> annotations, String token) {
    Map<String, String> a =
        annotations == null ? new java.util.HashMap<>() : new java.util.HashMap<>(annotations);
    a.put(PowerRequests.ANNOTATION, token);
    return a;
  }

  /** The kubeconfig context's namespace, else default. */
  static String namespaceOf(KubernetesClient c) {
    String ns = c.getNamespace();
    return ns == null ? "default" : ns;
  }

  @Command(name = "start", mixinStandardHelpOptions = true, description = "Start a machine.")
  public static final class Start extends PowerCommand {
    @Override
    String verb() {
      return "start";
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description = "Shut a machine down (destroyed after its shutdownTimeout).")
  public static final class Stop extends PowerCommand {
    @Override
    String verb() {
      return "stop";
    }
  }

  @Command(
      name = "restart",
      mixinStandardHelpOptions = true,
      description = "Shut a machine down and start it again.")
  public static final class Restart extends PowerCommand {
    @Override
    String verb() {
      return "restart";
    }
  }

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description = "Pause a running machine.")
  public static final class Pause extends PowerCommand {
    @Override
    String verb() {
      return "pause";
    }
  }

  @Command(
      name = "unpause",
      mixinStandardHelpOptions = true,
      description = "Resume a paused machine.")
  public static final class Unpause extends PowerCommand {
    @Override
    String verb() {
      return "unpause";
    }
  }
}
