package io.kvmop.migration;

import io.kvmop.api.DrainPhase;
import io.kvmop.api.KvmHostStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.MigrationPhase;
import io.kvmop.status.ConditionTypes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Draining a cordoned host (pure): which of its machines get a migration now, which are moving, and
 * which stay and why. A machine whose drain migration failed is not tried again on its own (the
 * reason stays in status; deleting that migration tries again).
 */
public final class DrainPlanner {
  private DrainPlanner() {}

  /** The label a drain's migrations carry: the host drained. */
  public static final String LABEL = "kvmop.io/drain";

  /** A migration to create: the machine, and the migration's name. */
  public record Move(KvmMachine machine, String name) {}

  public record Plan(List<Move> migrate, KvmHostStatus.DrainStatus status) {}

  /**
   * @param machines the machines placed on the host
   * @param migrations the drain migrations of the host (labelled so)
   */
  public static Plan plan(
      String node, List<KvmMachine> machines, List<KvmMachineMigration> migrations) {
    Map<String, List<KvmMachineMigration>> byMachine =
        migrations.stream()
            .filter(g -> g.getSpec() != null && g.getSpec().machine != null)
            .collect(
                Collectors.groupingBy(
                    g -> g.getMetadata().getNamespace() + "/" + g.getSpec().machine));
    List<Move> migrate = new ArrayList<>();
    KvmHostStatus.DrainStatus s = new KvmHostStatus.DrainStatus();
    for (KvmMachine m : sorted(machines)) {
      String id = m.getMetadata().getNamespace() + "/" + m.getMetadata().getName();
      Optional<KvmMachineMigration> last =
          byMachine.getOrDefault(id, List.of()).stream()
              .filter(
                  g ->
                      g.getStatus() == null
                          || g.getStatus().machineUid == null
                          || g.getStatus().machineUid.equals(m.getMetadata().getUid()))
              .max(Comparator.comparing(g -> g.getMetadata().getCreationTimestamp()));
      if (last.isPresent() && !MigrationStatuses.finished(last.get())) {
        s.moving.add(id);
        continue;
      }
      if (last.isPresent() && MigrationPhase.Failed.equals(last.get().getStatus().phase)) {
        s.cannotMove.add(
            new KvmHostStatus.Unmovable(
                id,
                "migration "
                    + last.get().getMetadata().getName()
                    + " failed: "
                    + readyMessage(last.get())
                    + " (delete it to try again)"));
        continue;
      }
      List<String> problems = MigrationChecks.problems(m);
      if (!problems.isEmpty()) {
        s.cannotMove.add(new KvmHostStatus.Unmovable(id, String.join("; ", problems)));
        continue;
      }
      if (MigrationChecks.notRunning(m) != null) {
        s.cannotMove.add(
            new KvmHostStatus.Unmovable(
                id,
                "not running ("
                    + (m.getStatus() == null ? "no status yet" : m.getStatus().phase)
                    + "): its local disks move only with a running machine; start it to move it,"
                    + " or delete it"));
        continue;
      }
      migrate.add(
          new Move(m, migrationName(m, node, byMachine.getOrDefault(id, List.of()).size())));
      s.moving.add(id);
    }
    s.phase =
        !s.moving.isEmpty()
            ? DrainPhase.Draining
            : s.cannotMove.isEmpty() ? DrainPhase.Drained : DrainPhase.Blocked;
    return new Plan(migrate, s);
  }

  /**
   * The name of a machine's next drain migration: the same for every agent that looks at the same
   * state (so two looks create one), new for each earlier one of the machine.
   */
  static String migrationName(KvmMachine m, String node, int earlier) {
    String base = "drain-" + node + "-" + m.getMetadata().getName();
    String suffix =
        "-" + m.getMetadata().getUid().replace("-", "").substring(0, 8) + "-" + (earlier + 1);
    return (base.length() + suffix.length() > 253 ? base.substring(0, 253 - suffix.length()) : base)
        + suffix;
  }

  private static List<KvmMachine> sorted(List<KvmMachine> machines) {
    return machines.stream()
        .sorted(
            Comparator.comparing((KvmMachine m) -> m.getMetadata().getNamespace())
                .thenComparing(m -> m.getMetadata().getName()))
        .toList();
  }

  private static String readyMessage(KvmMachineMigration g) {
    return g.getStatus().conditions.stream()
        .filter(c -> ConditionTypes.READY.equals(c.getType()))
        .map(io.fabric8.kubernetes.api.model.Condition::getMessage)
        .findFirst()
        .orElse("no reason given");
  }
}
