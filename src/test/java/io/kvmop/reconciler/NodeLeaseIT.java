package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kvmop.api.KvmMachine;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.testing.FakeHostNetwork;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.TestDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One agent per node: two agents started for the same node (each with its own libvirt test-driver
 * hypervisor, so that what each one does shows) against one mock API. Only the holder of the node's
 * Lease acts.
 */
@EnableKubernetesMockClient(crud = true)
class NodeLeaseIT {
  static final String DOMAIN = "kvmop-default-vm";
  KubernetesClient client;
  @TempDir Path dir;
  JnaLibvirt first;
  JnaLibvirt second;
  OperatorHarness a;
  OperatorHarness b;

  @BeforeEach
  void setUp() throws Exception {
    first = new JnaLibvirt(TestDriver.privateUri(Files.createDirectories(dir.resolve("a"))));
    second = new JnaLibvirt(TestDriver.privateUri(Files.createDirectories(dir.resolve("b"))));
  }

  @AfterEach
  void tearDown() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    first.close();
    second.close();
  }

  private OperatorHarness agent(String id, JnaLibvirt libvirt) {
    return new OperatorHarness(
        client, "node-x", libvirt, new FakeHostNetwork(), Map.of("KVMOP_AGENT_ID", id));
  }

  private String holder() {
    Lease l = client.leases().inNamespace("default").withName("kvmop-agent-node-x").get();
    return l == null ? null : l.getSpec().getHolderIdentity();
  }

  private static java.net.http.HttpResponse<String> probe(OperatorHarness agent, String path)
      throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + agent.operator().httpPort() + path))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  private void declareMachine() {
    KvmMachine m = Fixtures.machine("default", "vm");
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-x";
    m.getSpec().memory = "256Mi";
    client.resource(m).create();
  }

  @Test
  void aSecondAgentForTheSameNodeActsOnNothingUntilTheFirstStops() throws Exception {
    a = agent("agent-a", first).start();
    assertThat(holder()).isEqualTo("agent-a");
    b = agent("agent-b", second);
    Thread waiting = new Thread(b::start, "agent-b-start");
    waiting.start();
    declareMachine();
    a.awaitMachine("vm", "Running", true, "Running", 30);
    assertThat(first.domains().findDomain(DOMAIN).orElseThrow().running()).isTrue();
    Awaitility.await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> second.domains().findDomain(DOMAIN).isEmpty());
    assertThat(waiting.isAlive()).as("agent-b is still waiting for the lease").isTrue();
    assertThat(holder()).isEqualTo("agent-a");
    // its probes: alive, not ready, saying who acts for the node
    within(5).until(() -> b.operator().httpPort() > 0);
    var ready = probe(b, "/readyz");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("kvmop-agent-node-x", "held by agent-a");
    var live = probe(b, "/healthz");
    assertThat(live.statusCode()).isEqualTo(200);

    long stopped = System.nanoTime();
    a.close(); // releases the lease: no need to wait for it to expire
    within(20).until(() -> second.domains().findDomain(DOMAIN).map(d -> d.running()).orElse(false));
    System.out.printf(
        "node lease: the waiting agent took over and started the machine %d ms after the holder"
            + " stopped%n",
        (System.nanoTime() - stopped) / 1_000_000);
    assertThat(holder()).isEqualTo("agent-b");
    waiting.join(5000);
    assertThat(waiting.isAlive()).isFalse();
  }

  @Test
  void anAgentThatLosesItsNodesLeaseStopsActing() throws Exception {
    a = agent("agent-a", first).start();
    declareMachine();
    a.awaitMachine("vm", "Running", true, "Running", 30);
    // while it holds the lease, a stopped domain is started again
    first.domains().destroyDomain(DOMAIN);
    within(10).until(() -> first.domains().findDomain(DOMAIN).orElseThrow().running());

    // another agent takes the lease over (as one would after this one failed to renew it)
    io.kvmop.testing.UserEdits.edit(
        client.leases().inNamespace("default").withName("kvmop-agent-node-x"),
        l -> {
          l.getSpec().setHolderIdentity("agent-elsewhere");
          l.getSpec().setRenewTime(ZonedDateTime.now().plusMinutes(5));
          l.getSpec().setLeaseDurationSeconds(600);
          return l;
        });
    within(15).until(() -> !a.operator().leaseHeld());
    first.domains().destroyDomain(DOMAIN);
    Awaitility.await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !first.domains().findDomain(DOMAIN).orElseThrow().running());
  }

  @Test
  void anAgentThatLosesItsNodesLeaseDestroysItsRestartMachinesAtOnceAndNoOthers() throws Exception {
    a = agent("agent-a", first).start();
    declareMachine(); // policy None: it waits for its node
    KvmMachine m = Fixtures.machine("default", "ha");
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().memory = "256Mi";
    m.getSpec().failover = new io.kvmop.api.FailoverSpec();
    m.getSpec().failover.policy = "Restart";
    m.getSpec().failover.after = "10s";
    client.resource(m).create();
    a.awaitMachine("vm", "Running", true, "Running", 30);
    a.awaitMachine("ha", "Running", true, "Running", 30);

    long lost = System.nanoTime();
    io.kvmop.testing.UserEdits.edit(
        client.leases().inNamespace("default").withName("kvmop-agent-node-x"),
        l -> {
          l.getSpec().setHolderIdentity("agent-elsewhere");
          l.getSpec().setRenewTime(ZonedDateTime.now().plusMinutes(5));
          l.getSpec().setLeaseDurationSeconds(600);
          return l;
        });
    within(15).until(() -> !first.domains().findDomain("kvmop-default-ha").orElseThrow().running());
    System.out.printf(
        "self-fencing: the Restart machine was destroyed %d ms after the lease was taken%n",
        (System.nanoTime() - lost) / 1_000_000);
    assertThat(first.domains().findDomain(DOMAIN).orElseThrow().running())
        .as("a machine without failover keeps running on its node")
        .isTrue();
    assertThat(a.operator().metrics().scrape()).contains("kvmop_self_fenced_total 1.0");
  }
}
