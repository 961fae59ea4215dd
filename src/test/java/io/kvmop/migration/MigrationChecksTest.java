package io.kvmop.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmHostSpec;
import io.kvmop.api.KvmHostStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.KvmMachineMigrationSpec;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.MachinePhase;
import io.kvmop.placement.Placement;
import io.kvmop.status.Conditions;
import io.kvmop.testing.Fixtures;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MigrationChecksTest {
  static KvmMachine running(String name) {
    KvmMachine m = Fixtures.machine("default", name);
    m.setStatus(new KvmMachineStatus());
    m.getStatus().phase = MachinePhase.Running;
    return m;
  }

  static KvmHost host(String name, String uri, boolean ready) {
    KvmHost h = new KvmHost();
    h.getMetadata().setName(name);
    h.setSpec(new KvmHostSpec());
    h.setStatus(new KvmHostStatus());
    if (uri != null) {
      h.getStatus().migration = new KvmHostStatus.MigrationEndpoint();
      h.getStatus().migration.uri = uri;
    }
    h.getStatus().conditions =
        new Conditions(null, 1L, Instant.EPOCH).set("Ready", ready, "Reporting", "").build();
    h.getStatus().kvm = new KvmHostStatus.KvmInfo();
    h.getStatus().kvm.usable = true;
    return h;
  }

  static KvmMachineMigration migration(String target) {
    KvmMachineMigration g = new KvmMachineMigration();
    g.setSpec(new KvmMachineMigrationSpec());
    g.getSpec().machine = "m";
    g.getSpec().targetNode = target;
    return g;
  }

  /** Placement's view: every host open with room to spare. */
  static List<Placement.Candidate> roomy(List<KvmHost> hosts) {
    return hosts.stream()
        .map(
            h ->
                new Placement.Candidate(
                    h.getMetadata().getName(), Map.of(), true, false, true, 8, 8L << 20, 0, 0))
        .toList();
  }

  static final Placement.Request SMALL = new Placement.Request(1, 1L << 17, null, false);

  @Test
  void whatCanNeverMoveIsNamedWithTheFieldAndWhatToDo() {
    KvmMachine m = running("m");
    assertThat(MigrationChecks.problems(m)).isEmpty();
    m.getSpec().nodeName = "a";
    m.getSpec().hostDevices = List.of(new io.kvmop.api.HostDevice());
    assertThat(MigrationChecks.problems(m))
        .anyMatch(
            p -> p.contains("spec.nodeName pins it to node a") && p.contains("remove nodeName"))
        .anyMatch(p -> p.contains("spec.hostDevices"));
    KvmMachine stopped = running("s");
    stopped.getStatus().phase = MachinePhase.Stopped;
    assertThat(MigrationChecks.notRunning(stopped)).contains("Stopped", "moves a running machine");
  }

  @Test
  void theTargetIsTheOneAskedForOnlyWhenItAcceptsMigrations() {
    KvmMachine m = running("m");
    List<KvmHost> hosts =
        List.of(
            host("a", "qemu+tls://a/system", true),
            host("b", null, true),
            host("c", "qemu+tls://c/system", false),
            host("d", "ssh://d; rm -rf /", true),
            host("e", "qemu+tls://e/system", true));
    var choose =
        (java.util.function.Function<String, MigrationChecks.Target>)
            t ->
                MigrationChecks.choose(migration(t), "a", hosts, SMALL, MigrationChecksTest::roomy);
    assertThat(choose.apply("a").refusal()).contains("is the node the machine runs on");
    assertThat(choose.apply("b").refusal()).contains("b: accepts no migrations");
    assertThat(choose.apply("c").refusal()).contains("c: not Ready");
    assertThat(choose.apply("d").refusal()).contains("migration URI", "unusable");
    assertThat(choose.apply("x").refusal()).contains("x has no kvmop agent");
    assertThat(choose.apply("e").node()).isEqualTo("e");
    assertThat(choose.apply(null).node()).as("the only one open").isEqualTo("e");
  }
}
