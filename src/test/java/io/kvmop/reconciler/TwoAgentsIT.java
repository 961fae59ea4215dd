package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kvmop.api.DhcpHost;
import io.kvmop.api.DhcpSpec;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.NetworkMode;
import io.kvmop.api.NodeNetworkStatus;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.testing.FakeHostNetwork;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.TestDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two agents (node-a, node-b), each with its own private libvirt test-driver hypervisor, against
 * one mock API: the shape of a cluster with two KVM hosts.
 */
@EnableKubernetesMockClient(crud = true)
class TwoAgentsIT {
  KubernetesClient client;
  @TempDir Path dir;
  JnaLibvirt libvirtA;
  JnaLibvirt libvirtB;
  OperatorHarness a;
  OperatorHarness b;

  @BeforeEach
  void startTwoNodes() throws Exception {
    libvirtA = new JnaLibvirt(TestDriver.privateUri(Files.createDirectories(dir.resolve("a"))));
    libvirtB = new JnaLibvirt(TestDriver.privateUri(Files.createDirectories(dir.resolve("b"))));
    a = new OperatorHarness(client, "node-a", libvirtA, new FakeHostNetwork()).start();
    b = new OperatorHarness(client, "node-b", libvirtB, new FakeHostNetwork()).start();
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    libvirtA.close();
    libvirtB.close();
  }

  static List<String> nodesOf(KvmNetwork n) {
    return n == null || n.getStatus() == null || n.getStatus().nodes == null
        ? List.of()
        : n.getStatus().nodes.stream().map(e -> e.node).toList();
  }

  @Test
  void bothAgentsRealiseANetworkAndNeitherLosesTheOthersStatusEntry() throws Exception {
    a.create("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.80.0.0/24"));
    try {
      within(20).until(() -> nodesOf(a.get("lab")).equals(List.of("node-a", "node-b")));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      System.out.println(
          "LAST STATUS: "
              + io.fabric8.kubernetes.client.utils.Serialization.asYaml(a.get("lab").getStatus()));
      throw e;
    }
    KvmNetwork lab = a.awaitReady("lab", true, "Active");
    String name = NetworkRealizer.naming(lab).libvirtName();
    assertThat(libvirtA.networks().findNetwork(name).orElseThrow().active()).isTrue();
    assertThat(libvirtB.networks().findNetwork(name).orElseThrow().active()).isTrue();

    // both agents rewrite their entries at once, five times over; a watcher reads all along
    List<List<String>> seen = new ArrayList<>();
    AtomicReference<Boolean> watching = new AtomicReference<>(true);
    Thread watcher =
        new Thread(
            () -> {
              while (watching.get()) {
                seen.add(nodesOf(a.get("lab")));
              }
            });
    watcher.start();
    long gen = 0;
    for (int i = 1; i <= 5; i++) {
      KvmNetwork n = a.get("lab");
      n.getSpec().ipv4.dhcp = new DhcpSpec();
      n.getSpec().ipv4.dhcp.hosts =
          List.of(new DhcpHost("52:54:00:00:00:0" + i, "10.80.0." + (10 + i), "h" + i));
      gen = a.updateSpec(n).getMetadata().getGeneration();
    }
    long last = gen;
    within(30)
        .until(
            () -> {
              KvmNetwork n = a.get("lab");
              return n.getStatus().nodes.size() == 2
                  && n.getStatus().nodes.stream()
                      .allMatch(e -> e.observedGeneration != null && e.observedGeneration == last);
            });
    watching.set(false);
    watcher.join();
    assertThat(seen)
        .as("every read of the status during the churn shows both nodes' entries")
        .isNotEmpty()
        .allSatisfy(nodes -> assertThat(nodes).containsExactly("node-a", "node-b"));
    for (NodeNetworkStatus e : a.get("lab").getStatus().nodes) {
      assertThat(e.conditions).anySatisfy(c -> assertThat(c.getStatus()).isEqualTo("True"));
    }
    assertThat(libvirtA.networks().findNetwork(name).orElseThrow().live().dhcpHosts()).hasSize(1);
    assertThat(libvirtB.networks().findNetwork(name).orElseThrow().live().dhcpHosts()).hasSize(1);
  }

  @Test
  void aMachineRunsOnlyOnItsNodeAndALostNodeChangesNothingElsewhere() {
    a.create("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.81.0.0/24"));
    a.awaitReady("lab", true, "Active");
    KvmMachine m = Fixtures.machine("default", "vm", "lab");
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-b";
    m.getSpec().memory = "256Mi";
    a.create(m);
    KvmMachine ready = b.awaitMachine("vm", "Running", true, "Running", 30);
    assertThat(ready.getStatus().nodeName).isEqualTo("node-b");
    assertThat(libvirtB.domains().findDomain("kvmop-default-vm").orElseThrow().running()).isTrue();
    assertThat(libvirtA.domains().findDomain("kvmop-default-vm"))
        .as("node-a never defines it")
        .isEmpty();
    String rv = ready.getMetadata().getResourceVersion();

    // node-a disappears: its agent is gone and its KvmHost is deleted
    a.close();
    client.resources(KvmHost.class).withName("node-a").delete();
    within(10).until(() -> client.resources(KvmHost.class).withName("node-a").get() == null);
    KvmMachine after = b.machine("vm");
    assertThat(after.getStatus().phase).isEqualTo(ready.getStatus().phase);
    assertThat(OperatorHarness.condition(after, "Running").orElseThrow().getStatus())
        .isEqualTo("True");
    assertThat(libvirtB.domains().findDomain("kvmop-default-vm").orElseThrow().running()).isTrue();
    assertThat(after.getMetadata().getResourceVersion())
        .as("nothing was written to the machine on node-b")
        .isEqualTo(rv);
  }

  @Test
  void networksAndMachinesWaitForANodeWhoseAgentIsDownButNotForOneThatLeftTheCluster() {
    a.create("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.82.0.0/24"));
    a.create("lab2", Fixtures.spec(NetworkMode.ISOLATED, "10.83.0.0/24"));
    within(20).until(() -> nodesOf(a.get("lab")).equals(List.of("node-a", "node-b")));
    within(20).until(() -> nodesOf(a.get("lab2")).equals(List.of("node-a", "node-b")));
    assertThat(a.get("lab").getMetadata().getFinalizers())
        .containsExactlyInAnyOrder("network.kvmop.io/node-a", "network.kvmop.io/node-b");

    KvmMachine vm = unplaced("stranded");
    vm.getSpec().nodeName = "node-b";
    a.create(vm);
    b.awaitMachine("stranded", "Running", true, "Running", 30);

    // node-b's agent is down: its KvmHost is still there, so its share is waited for
    b.close();
    a.delete(a.get("lab"));
    a.delete(a.machine("stranded"));
    within(10)
        .until(
            () ->
                a.get("lab") != null
                    && a.get("lab")
                        .getMetadata()
                        .getFinalizers()
                        .equals(List.of("network.kvmop.io/node-b")));
    org.awaitility.Awaitility.await()
        .during(java.time.Duration.ofSeconds(2))
        .atMost(java.time.Duration.ofSeconds(5))
        .until(() -> a.get("lab") != null && a.machine("stranded") != null);

    // node-b left the cluster for good: no KvmHost, no Node; node-a lets go for it
    client.resources(KvmHost.class).withName("node-b").delete();
    within(15).until(() -> a.get("lab") == null);
    within(15).until(() -> a.machine("stranded") == null);
    // and a network deleted after node-b left goes at once
    a.delete(a.get("lab2"));
    within(15).until(() -> a.get("lab2") == null);
  }

  @Test
  void aPlacementLabelSetOrMovedByHandNeverSkipsPlacementOrStrandsADomain() {
    // node-a is cordoned: a tenant labels a machine for it by hand anyway
    KvmHost hostA = a.awaitHost(h -> true, 20);
    hostA.getSpec().cordoned = true;
    a.updateSpec(hostA);
    b.awaitHost(h -> true, 20);
    KvmMachine forged = unplaced("forged");
    forged
        .getMetadata()
        .setLabels(new java.util.HashMap<>(java.util.Map.of("kvmop.io/node", "node-a")));
    a.create(forged);
    KvmMachine placed = b.awaitMachine("forged", "Running", true, "Running", 30);
    assertThat(placed.getMetadata().getLabels()).containsEntry("kvmop.io/node", "node-b");
    assertThat(placed.getStatus().nodeName).isEqualTo("node-b");
    assertThat(libvirtA.domains().findDomain("kvmop-default-forged"))
        .as("the cordon held")
        .isEmpty();
    assertThat(placed.getMetadata().getFinalizers()).doesNotContain("machine.kvmop.io/node-a");

    // the label of the running machine is moved to node-a by hand: it goes back, and node-b
    // keeps managing its domain
    io.kvmop.testing.UserEdits.edit(
        client.resources(KvmMachine.class).inNamespace("default").withName("forged"),
        moved -> {
          moved.getMetadata().getLabels().put("kvmop.io/node", "node-a");
          return moved;
        });
    within(20)
        .until(
            () ->
                "node-b".equals(b.machine("forged").getMetadata().getLabels().get("kvmop.io/node"))
                    && !b.machine("forged")
                        .getMetadata()
                        .getFinalizers()
                        .contains("machine.kvmop.io/node-a"));
    assertThat(libvirtA.domains().findDomain("kvmop-default-forged")).isEmpty();
    libvirtB.domains().destroyDomain("kvmop-default-forged");
    within(20)
        .until(
            () ->
                libvirtB
                    .domains()
                    .findDomain("kvmop-default-forged")
                    .map(d -> d.running())
                    .orElse(false));
    a.delete(b.machine("forged"));
    within(20).until(() -> b.machine("forged") == null);
  }

  KvmMachine unplaced(String name) {
    KvmMachine m = Fixtures.machine("default", name);
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().memory = "128Mi";
    return m;
  }

  static String placedOn(KvmMachine m) {
    return m.getMetadata().getLabels() == null
        ? null
        : m.getMetadata().getLabels().get("kvmop.io/node");
  }

  void bothHostsReady() {
    for (OperatorHarness h : List.of(a, b)) {
      h.awaitHost(
          k ->
              k.getStatus() != null
                  && io.kvmop.status.Conditions.isTrue(k.getStatus().conditions, "Ready"),
          20);
    }
  }

  @Test
  void aKvmHostWithNoLiveAgentBehindItNeverTakesAMachine() {
    bothHostsReady();
    // a KvmHost that says Ready with room to spare, forged (or left by a node that died)
    io.kvmop.api.KvmHost real = a.host("node-a");
    io.kvmop.api.KvmHost ghost = new io.kvmop.api.KvmHost();
    ghost.getMetadata().setName("node-ghost");
    ghost.setSpec(new io.kvmop.api.KvmHostSpec());
    client.resource(ghost).create();
    io.kvmop.api.KvmHostStatus forged =
        io.fabric8.kubernetes.client.utils.Serialization.clone(real.getStatus());
    forged.allocatable.cpus = 4096;
    forged.allocatable.memory = "64Ti";
    forged.allocated = null;
    ghost = client.resources(io.kvmop.api.KvmHost.class).withName("node-ghost").get();
    ghost.setStatus(forged);
    client.resource(ghost).updateStatus();

    client.resource(unplaced("free")).create();
    within(30)
        .until(
            () -> {
              String on = placedOn(a.machine("free"));
              return "node-a".equals(on) || "node-b".equals(on);
            });
    assertThat(a.machine("free").getStatus().nodeName).isIn("node-a", "node-b");

    // another one whose Lease is forged as held too: chosen, but no agent places the machine;
    // after a moment it says so
    client
        .resource(
            new io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder()
                .withNewMetadata()
                .withName("kvmop-agent-node-ghost2")
                .withNamespace("default")
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity("nobody")
                .withLeaseDurationSeconds(600)
                .withRenewTime(java.time.ZonedDateTime.now())
                .endSpec()
                .build())
        .create();
    io.kvmop.api.KvmHost ghost2 = new io.kvmop.api.KvmHost();
    ghost2.getMetadata().setName("node-ghost2");
    ghost2.setSpec(new io.kvmop.api.KvmHostSpec());
    client.resource(ghost2).create();
    ghost2 = client.resources(io.kvmop.api.KvmHost.class).withName("node-ghost2").get();
    ghost2.setStatus(forged);
    client.resource(ghost2).updateStatus();
    within(10)
        .until(
            () ->
                client
                        .resources(io.kvmop.api.KvmHost.class)
                        .withName("node-ghost2")
                        .get()
                        .getStatus()
                    != null);
    client.resource(unplaced("stranded")).create();
    KvmMachine waiting = a.awaitMachine("stranded", "Scheduled", false, "Pending", 30);
    assertThat(OperatorHarness.condition(waiting, "Scheduled").orElseThrow().getMessage())
        .contains("node node-ghost2 fits best; waiting for its kvmop agent to place the machine");
    assertThat(placedOn(waiting)).isNull();
  }

  @Test
  void racingAgentsPlaceEveryMachineOnExactlyOneNodeThatFits() throws Exception {
    client
        .resource(
            new io.fabric8.kubernetes.api.model.NodeBuilder()
                .withNewMetadata()
                .withName("node-a")
                .addToLabels("zone", "a")
                .endMetadata()
                .build())
        .create();
    client
        .resource(
            new io.fabric8.kubernetes.api.model.NodeBuilder()
                .withNewMetadata()
                .withName("node-b")
                .addToLabels("zone", "b")
                .endMetadata()
                .build())
        .create();
    bothHostsReady();

    // a nodeSelector only node-b matches
    KvmMachine zoned = unplaced("zoned");
    zoned.getSpec().nodeSelector = java.util.Map.of("zone", "b");
    a.create(zoned);
    within(20).until(() -> "node-b".equals(placedOn(a.machine("zoned"))));
    within(20).until(() -> libvirtB.domains().findDomain("kvmop-default-zoned").isPresent());
    assertThat(libvirtA.domains().findDomain("kvmop-default-zoned")).isEmpty();
    assertThat(b.awaitMachine("zoned", "Scheduled", true, "Placed", 20).getStatus().nodeName)
        .isEqualTo("node-b");

    // eight machines at once, both agents deciding at the same time
    List<Thread> creators = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String name = "race-" + i;
      Thread t = new Thread(() -> a.create(unplaced(name)));
      creators.add(t);
      t.start();
    }
    for (Thread t : creators) {
      t.join();
    }
    within(30)
        .until(
            () -> {
              for (int i = 0; i < 8; i++) {
                KvmMachine m = a.machine("race-" + i);
                String on = placedOn(m);
                if (on == null) {
                  return false;
                }
                JnaLibvirt there = on.equals("node-a") ? libvirtA : libvirtB;
                if (there.domains().findDomain("kvmop-default-race-" + i).isEmpty()) {
                  return false;
                }
              }
              return true;
            });
    // and it stays so: no second claim, no stray definition, for a while after
    within(5)
        .during(java.time.Duration.ofSeconds(1))
        .until(
            () -> {
              for (int i = 0; i < 8; i++) {
                String domain = "kvmop-default-race-" + i;
                String on = placedOn(a.machine("race-" + i));
                boolean inA = libvirtA.domains().findDomain(domain).isPresent();
                boolean inB = libvirtB.domains().findDomain(domain).isPresent();
                if (!(inA ^ inB) || !(inA ? "node-a" : "node-b").equals(on)) {
                  return false;
                }
              }
              return true;
            });
    for (int i = 0; i < 8; i++) {
      String on = placedOn(a.machine("race-" + i));
      assertThat(a.machine("race-" + i).getStatus().nodeName).isIn(on, null);
    }

    // node-a cordoned: new machines go elsewhere
    io.kvmop.api.KvmHost hostA = a.host("node-a");
    hostA.getSpec().cordoned = true;
    a.updateSpec(hostA);
    within(10).until(() -> Boolean.TRUE.equals(a.host("node-a").getSpec().cordoned));
    a.create(unplaced("after-cordon"));
    within(20).until(() -> "node-b".equals(placedOn(a.machine("after-cordon"))));

    // nothing fits: every node says why
    KvmMachine huge = unplaced("huge");
    huge.getSpec().memory = "64Ti";
    a.create(huge);
    KvmMachine pending = a.awaitMachine("huge", "Scheduled", false, "Unschedulable", 20);
    assertThat(OperatorHarness.condition(pending, "Scheduled").orElseThrow().getMessage())
        .contains("node-a: cordoned", "node-b: ", "memory free");
    assertThat(placedOn(pending)).isNull();
  }
}
