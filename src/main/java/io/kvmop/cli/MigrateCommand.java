package io.kvmop.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.KvmMachineMigrationSpec;
import io.kvmop.api.KvmMachineMigrationStatus;
import io.kvmop.api.MigrationPhase;
import io.kvmop.status.ConditionTypes;
import java.io.PrintStream;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvmop migrate NAME [--to NODE]}: creates a KvmMachineMigration for the machine (its spec
 * is never written) and follows it until it ends, printing each phase and the copy's progress.
 * Kubernetes RBAC decides who may (create on kvmmachinemigrations). Exit 0 when the machine runs on
 * the target, 1 when the migration failed (the machine runs where it was), 2 when it did not end
 * within --wait (it goes on; kubectl get kvmmig shows it).
 */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = "Move a running machine to another node while it runs (live migration).")
public final class MigrateCommand implements Callable<Integer> {
  @Parameters(index = "0", description = "The KvmMachine's name.")
  String name;

  @Option(
      names = "--to",
      description = "The target node (default: chosen by the rules that place new machines).")
  String target;

  @Option(
      names = {"-n", "--namespace"},
      description = "Its namespace (default: the kubeconfig context's, else default).")
  String namespace;

  @Option(
      names = "--timeout",
      description =
          "How long the copy may run before --on-timeout applies (default ${DEFAULT-VALUE}).")
  String timeout = "10m";

  @Option(
      names = "--on-timeout",
      description =
          "Abort, Pause or Postcopy (default ${DEFAULT-VALUE}; see kubectl explain kvmmig.spec.onTimeout).")
  KvmMachineMigrationSpec.OnTimeout onTimeout = KvmMachineMigrationSpec.OnTimeout.Abort;

  @Option(names = "--bandwidth", description = "The most the copy may send per second, MiB.")
  Integer bandwidthMiB;

  @Option(
      names = "--wait",
      defaultValue = "900",
      description = "Seconds to follow it; 0 to create it and return.")
  int waitSeconds;

  KubernetesClient client;
  PrintStream out = System.out;

  /** With this client and output instead of the kubeconfig's and stdout (tests, embedding). */
  public MigrateCommand using(KubernetesClient client, PrintStream out) {
    this.client = client;
    this.out = out;
    return this;
  }

  @Override
  public Integer call() throws Exception {
    try (KubernetesClient c = client != null ? null : ClusterClient.open()) {
      return run(client != null ? client : c);
    }
  }

  int run(KubernetesClient c) {
    String ns = namespace != null ? namespace : PowerCommand.namespaceOf(c);
    if (c.resources(KvmMachine.class).inNamespace(ns).withName(name).get() == null) {
      out.println("kvmop: KvmMachine " + ns + "/" + name + " not found");
      return 1;
    }
    KvmMachineMigration g = new KvmMachineMigration();
    g.getMetadata().setNamespace(ns);
    g.getMetadata()
        .setName(
            name.substring(0, Math.min(name.length(), 240))
                + "-"
                + Long.toString(Instant.now().toEpochMilli(), 36)
                + Integer.toString(
                    java.util.concurrent.ThreadLocalRandom.current().nextInt(36 * 36), 36));
    g.setSpec(new KvmMachineMigrationSpec());
    g.getSpec().machine = name;
    g.getSpec().targetNode = target;
    g.getSpec().timeout = timeout;
    g.getSpec().onTimeout = onTimeout;
    g.getSpec().bandwidthMiB = bandwidthMiB;
    KvmMachineMigration created = c.resource(g).create();
    String migration = created.getMetadata().getName();
    out.println("kvmmachinemigration " + ns + "/" + migration + " created");
    if (waitSeconds <= 0) {
      return 0;
    }
    String[] shown = {null};
    KvmMachineMigrationStatus[] end = {null};
    try {
      c.resources(KvmMachineMigration.class)
          .inNamespace(ns)
          .withName(migration)
          .waitUntilCondition( // a watch: each change is looked at, no polling
              m -> {
                KvmMachineMigrationStatus s = m == null ? null : m.getStatus();
                if (s == null || s.phase == null) {
                  return false;
                }
                String line = line(s);
                if (!line.equals(shown[0])) {
                  out.println(line);
                  shown[0] = line;
                }
                if (s.phase.ended()) {
                  end[0] = s;
                  return true;
                }
                return false;
              },
              waitSeconds,
              TimeUnit.SECONDS);
    } catch (io.fabric8.kubernetes.client.KubernetesClientTimeoutException notYet) {
      out.println(
          "kvmop: "
              + ns
              + "/"
              + migration
              + " has not ended within "
              + waitSeconds
              + " s; it goes on (kubectl get kvmmig "
              + migration
              + " -n "
              + ns
              + ")");
      return 2;
    }
    return end[0].phase == MigrationPhase.Succeeded ? 0 : 1;
  }

  /** One line per phase and progress step: what a person follows in a terminal. */
  static String line(KvmMachineMigrationStatus s) {
    StringBuilder b = new StringBuilder(s.phase.name());
    if (s.sourceNode != null) {
      b.append(" ").append(s.sourceNode).append(" -> ").append(s.targetNode);
    }
    if (s.phase == MigrationPhase.Migrating && s.progress != null) {
      b.append(": ")
          .append(s.progress.dataRemaining)
          .append(" left, pass ")
          .append(s.progress.iteration);
      if (s.fallback != null) {
        b.append(" (").append(s.fallback).append(")");
      }
    }
    s.conditions.stream()
        .filter(c -> ConditionTypes.READY.equals(c.getType()))
        .findFirst()
        .filter(c -> s.phase != MigrationPhase.Migrating)
        .ifPresent(c -> b.append(": ").append(c.getMessage()));
    return b.toString();
  }
}
