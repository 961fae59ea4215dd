package io.kvmop.testing;

import static io.kvmop.testing.OperatorHarness.within;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmHostSpec;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.KvmMachineMigrationSpec;
import io.kvmop.api.MigrationPhase;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** What the migration tests do through the API: hosts, cordons, migrations and their phases. */
public final class MigrationSteps {
  private MigrationSteps() {}

  /** A KvmHost with the spec the test gives it (created, or replaced). */
  public static void host(KubernetesClient client, String node, Consumer<KvmHostSpec> spec) {
    KvmHost h = new KvmHost();
    h.getMetadata().setName(node);
    h.setSpec(new KvmHostSpec());
    spec.accept(h.getSpec());
    UserEdits.retrying(() -> client.resource(h).createOr(r -> r.update()));
  }

  public static void uncordon(KubernetesClient client, String node) {
    UserEdits.edit(
        client.resources(KvmHost.class).withName(node),
        h -> {
          h.getSpec().cordoned = false;
          return h;
        });
  }

  /** A migration of {@code machine} in namespace default, to {@code target} (null: any). */
  public static KvmMachineMigration migrate(
      KubernetesClient client,
      String name,
      String machine,
      String target,
      Consumer<KvmMachineMigrationSpec> more) {
    KvmMachineMigration g = new KvmMachineMigration();
    g.getMetadata().setName(name);
    g.getMetadata().setNamespace("default");
    g.setSpec(new KvmMachineMigrationSpec());
    g.getSpec().machine = machine;
    g.getSpec().targetNode = target;
    more.accept(g.getSpec());
    return client.resource(g).create();
  }

  public static KvmMachineMigration migration(KubernetesClient client, String name) {
    return client.resources(KvmMachineMigration.class).inNamespace("default").withName(name).get();
  }

  /**
   * Waits for the migration's phase; on timeout fails with its status and {@code context} (what
   * else helps to tell why, e.g. another agent's log).
   */
  public static KvmMachineMigration awaitPhase(
      KubernetesClient client,
      String name,
      MigrationPhase phase,
      int seconds,
      Supplier<String> context) {
    try {
      within(seconds)
          .until(
              () -> {
                var g = migration(client, name);
                return g != null && g.getStatus() != null && phase == g.getStatus().phase;
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      var g = migration(client, name);
      throw new AssertionError(
          "migration "
              + name
              + " not "
              + phase
              + "; its status: "
              + Serialization.asYaml(g == null ? null : g.getStatus())
              + context.get(),
          e);
    }
    return migration(client, name);
  }

  /** Its Ready condition. */
  public static Condition ready(KvmMachineMigration g) {
    return g.getStatus().conditions.stream()
        .filter(c -> c.getType().equals("Ready"))
        .findFirst()
        .orElseThrow();
  }
}
