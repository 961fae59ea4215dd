package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.condition;
import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.Quantities;
import io.kvmop.api.RunStrategy;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.placement.Placement;
import io.kvmop.testing.FakeHostNetwork;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.TestDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Placement under a burst: three agents (each node a test-driver hypervisor of 16 CPUs and 3 GiB)
 * and 150 machines applied at once, more than the nodes hold. No node is ever given more than it
 * allows, every node ends up full, the rest wait as Unschedulable, and Halted machines hold
 * nothing.
 */
@EnableKubernetesMockClient(crud = true)
class PlacementBurstIT {
  static final List<String> NODES = List.of("node-a", "node-b", "node-c");
  static final int CPUS = 16; // what the test driver reports per node
  KubernetesClient client;
  @TempDir Path dir;
  final List<JnaLibvirt> libvirts = new ArrayList<>();
  final List<OperatorHarness> agents = new ArrayList<>();

  @BeforeEach
  void startThreeNodes() throws Exception {
    for (String node : NODES) {
      JnaLibvirt l =
          new JnaLibvirt(TestDriver.privateUri(Files.createDirectories(dir.resolve(node))));
      libvirts.add(l);
      agents.add(new OperatorHarness(client, node, l, new FakeHostNetwork()));
    }
    agents.forEach(OperatorHarness::start);
    for (OperatorHarness a : agents) {
      a.awaitHost(h -> h.getStatus().allocatable != null, 30);
    }
  }

  /**
   * Deleting machines whose reconcile is just rescheduling them can meet a race inside JOSDK's
   * TimerEventSource ("Task already scheduled or cancelled", thrown on its executor thread, for a
   * resource that is gone anyway); awaitility would fail on it from any thread.
   */
  @BeforeEach
  void ignoreOtherThreadsExceptions() {
    org.awaitility.Awaitility.doNotCatchUncaughtExceptionsByDefault();
  }

  @AfterEach
  void stop() {
    org.awaitility.Awaitility.reset();
    agents.forEach(OperatorHarness::close);
    libvirts.forEach(JnaLibvirt::close);
  }

  KvmMachine machine(String name, RunStrategy strategy) {
    KvmMachine m = new KvmMachine();
    m.setMetadata(new ObjectMetaBuilder().withNamespace("default").withName(name).build());
    KvmMachineSpec s = new KvmMachineSpec();
    s.memory = "64Mi";
    s.runStrategy = strategy;
    s.shutdownTimeout = "1s";
    m.setSpec(s);
    return m;
  }

  List<KvmMachine> machines() {
    return client.resources(KvmMachine.class).inNamespace("default").list().getItems();
  }

  static String nodeOf(KvmMachine m) {
    return m.getMetadata().getLabels() == null
        ? null
        : m.getMetadata().getLabels().get(Placement.LABEL);
  }

  static boolean holds(KvmMachine m) {
    return m.getSpec().runStrategyOrDefault() != RunStrategy.Halted;
  }

  /** CPUs held per node by the machines placed there that hold (not Halted). */
  Map<String, Integer> heldCpus() {
    Map<String, Integer> held = new HashMap<>();
    for (KvmMachine m : machines()) {
      if (nodeOf(m) != null && holds(m)) {
        held.merge(nodeOf(m), m.getSpec().cpuOrDefault().vcpus(), Integer::sum);
      }
    }
    return held;
  }

  @Test
  void aBurstFillsEveryNodeToItsCapacityAndNoFurther() throws Exception {
    List<KvmMachine> burst = new ArrayList<>();
    for (int i = 0; i < 130; i++) {
      burst.add(machine("vm-" + i, RunStrategy.Always));
    }
    for (int i = 0; i < 20; i++) {
      burst.add(machine("stopped-" + i, RunStrategy.Halted));
    }
    java.util.Collections.shuffle(burst, new java.util.Random(7));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    for (KvmMachine m : burst) {
      pool.submit(() -> client.resource(m).create());
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

    // every node full (16 one-CPU machines each), never more, while the burst settles
    within(90)
        .until(
            () -> {
              Map<String, Integer> held = heldCpus();
              assertThat(held.values()).allSatisfy(c -> assertThat(c).isLessThanOrEqualTo(CPUS));
              return NODES.stream().allMatch(n -> held.getOrDefault(n, 0) == CPUS);
            });
    List<KvmMachine> all = machines();
    long placedRunning = all.stream().filter(m -> nodeOf(m) != null && holds(m)).count();
    assertThat(placedRunning).isEqualTo(3L * CPUS);
    // the ones left over say why, naming each node's shortfall
    within(30)
        .until(
            () ->
                machines().stream()
                    .filter(m -> nodeOf(m) == null && holds(m))
                    .allMatch(
                        m ->
                            condition(m, "Scheduled")
                                .filter(c -> "False".equals(c.getStatus()))
                                .filter(c -> c.getMessage().contains("0 of 16 CPUs free"))
                                .isPresent()));
    // each agent publishes what its node holds and allows
    for (String node : NODES) {
      within(15)
          .until(
              () -> {
                KvmHost h = client.resources(KvmHost.class).withName(node).get();
                return h.getStatus().allocated.cpus == CPUS
                    && h.getStatus().allocatable.cpus == CPUS
                    && Quantities.kib(h.getStatus().allocated.memory).orElse(0L)
                        == CPUS * 64L * 1024;
              });
    }

    // the ones still waiting go (else they would take the room made below, as they may)
    machines().stream().filter(m -> nodeOf(m) == null).forEach(m -> client.resource(m).delete());

    // a Halted machine on a full node, asked to run: refused with the reason, not started
    KvmMachine stopped =
        machines().stream()
            .filter(m -> !holds(m) && nodeOf(m) != null)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no Halted machine was placed"));
    OperatorHarness agent = agents.get(NODES.indexOf(nodeOf(stopped)));
    String name = stopped.getMetadata().getName();
    stopped.getSpec().runStrategy = RunStrategy.Always;
    agent.updateSpec(stopped);
    KvmMachine refused = agent.awaitMachine(name, "Ready", false, "InsufficientCapacity", 30);
    assertThat(condition(refused, "Ready").orElseThrow().getMessage())
        .contains("16 of 16 CPUs", "Halted machines hold nothing");
    JnaLibvirt itsNode = libvirts.get(NODES.indexOf(nodeOf(stopped)));
    assertThat(itsNode.domains().findDomain("kvmop-default-" + name).orElseThrow().running())
        .isFalse();
    assertThat(allocatedCpus(nodeOf(stopped))).isEqualTo(CPUS);

    // one machine there is stopped: its CPU goes to the one waiting, which starts
    KvmMachine other =
        machines().stream()
            .filter(m -> holds(m) && nodeOf(stopped).equals(nodeOf(m)))
            .filter(m -> !m.getMetadata().getName().equals(name))
            .findFirst()
            .orElseThrow();
    other.getSpec().runStrategy = RunStrategy.Halted;
    agent.updateSpec(other);
    agent.awaitMachine(other.getMetadata().getName(), "Running", false, "NotRunning", 30);
    agent.awaitMachine(name, "Running", true, "Running", 40);
    within(15).until(() -> allocatedCpus(nodeOf(stopped)) == CPUS);
  }

  /** The CPUs a node's agent published as held. */
  int allocatedCpus(String node) {
    return client.resources(KvmHost.class).withName(node).get().getStatus().allocated.cpus;
  }
}
