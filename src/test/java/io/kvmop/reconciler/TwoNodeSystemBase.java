package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.network.LinuxHostNetwork;
import io.kvmop.testing.MigrationSteps;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.SecondNode;
import io.kvmop.testing.Shell;
import io.kvmop.testing.SystemLeftovers;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/**
 * Two real KVM nodes on this machine and one mock API both reach: node-a (the host's libvirtd, its
 * agent in this JVM) and node-b (a second libvirtd in its own mount and network namespaces, joined
 * by a veth pair, its agent in a JVM of its own inside them, which a test may kill and start
 * again). node-b starts cordoned.
 */
@Tag("system")
abstract class TwoNodeSystemBase {
  static final Path NODE_B = Path.of("/tmp/kvmop-it-node-b");
  static final Path SERIAL = Path.of(OperatorHarness.SERIAL_LOG_DIR);

  String uri;
  JnaLibvirt libvirtA;
  KubernetesMockServer server;
  KubernetesClient client;
  OperatorHarness agentA;
  SecondNode nodeB;

  @BeforeEach
  void twoNodes() throws Exception {
    uri = System.getProperty("kvmop.it.systemUri", "");
    assumeFalse(uri.isBlank(), "kvmop.it.systemUri is empty: no real libvirtd to test against");
    libvirtA = new JnaLibvirt(uri);
    SystemLeftovers.remove(libvirtA);
    SystemLeftovers.removeTunnels();
    nodeB = SecondNode.start(NODE_B, List.of(Path.of(SystemLeftovers.POOL_PATH), SERIAL));
    // the API where both agents reach it: on the host's end of the veth pair
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getByName(SecondNode.HOST_ADDRESS), 0);
    client = server.createClient();
    OperatorHarness.applyCrds(client);
    host("node-a", false);
    host("node-b", true); // nothing is placed there before the migration
    agentA =
        new OperatorHarness(
                client,
                "node-a",
                libvirtA,
                new LinuxHostNetwork(),
                Map.of("KVMOP_OVERLAY_ADDRESS", SecondNode.HOST_ADDRESS))
            .start();
    Path kubeconfig = NODE_B.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: mock",
            "  cluster: {server: 'http://"
                + SecondNode.HOST_ADDRESS
                + ":"
                + server.getPort()
                + "'}",
            "users:",
            "- name: it",
            "  user: {token: it}",
            "contexts:",
            "- name: mock",
            "  context: {cluster: mock, user: it, namespace: default}",
            "current-context: mock",
            ""));
    Map<String, String> env = new HashMap<>();
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("NODE_NAME", "node-b");
    env.put("KVMOP_LIBVIRT_URI", nodeB.libvirtUri());
    env.put("KVMOP_MIGRATION_URI", nodeB.libvirtUri());
    env.put("KVMOP_MIGRATION_ADDRESS", SecondNode.NODE_ADDRESS);
    env.put("KVMOP_OVERLAY_ADDRESS", SecondNode.NODE_ADDRESS);
    env.put("KVMOP_SERIAL_LOG_DIR", SERIAL.toString());
    env.put("KVMOP_STORAGE_POOL_NAME", SystemLeftovers.POOL);
    env.put("KVMOP_STORAGE_POOL_PATH", SystemLeftovers.POOL_PATH);
    env.put("KVMOP_AUTOSTART_CHECK_SECONDS", "0.3");
    env.put("KVMOP_BLOCKED_RECHECK_SECONDS", "0.5");
    env.put("KVMOP_HOST_RECHECK_SECONDS", "1");
    env.put("KVMOP_HTTP_PORT", "0");
    env.put("KVMOP_LEASE_NAMESPACE", "default");
    agentBEnv = env;
    startAgentB();
    within(120)
        .until(
            () -> {
              KvmHost b = client.resources(KvmHost.class).withName("node-b").get();
              return b != null && b.getStatus() != null && b.getStatus().migration != null;
            });
  }

  Map<String, String> agentBEnv;
  Process agentB;

  /** node-b's agent, in its namespaces (again, after {@link #killAgentB}). */
  void startAgentB() {
    agentB =
        nodeB.spawn(
            Path.of("target/node-b-agent.log").toAbsolutePath(),
            agentBEnv,
            List.of(
                "java",
                "-Xms64m",
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                Path.of("target/kvmop.jar").toAbsolutePath().toString(),
                "operator"));
  }

  /** kill -9 of node-b's agent: it renews nothing and releases nothing, as in a power loss. */
  void killAgentB() throws InterruptedException {
    agentB.descendants().forEach(ProcessHandle::destroyForcibly);
    agentB.destroyForcibly();
    agentB.waitFor();
  }

  void host(String node, boolean cordoned) {
    MigrationSteps.host(
        client,
        node,
        spec -> {
          spec.cpuAllocationRatio = 8.0;
          spec.cordoned = cordoned;
        });
  }

  void uncordon(String node) {
    MigrationSteps.uncordon(client, node);
  }

  @AfterEach
  void stop() {
    if (agentA != null) {
      agentA.close();
    }
    if (nodeB != null) {
      nodeB.close();
    }
    if (libvirtA != null) {
      SystemLeftovers.remove(libvirtA);
      SystemLeftovers.removeTunnels();
      libvirtA.close();
    }
    if (server != null) {
      client.close();
      server.destroy();
    }
  }

  KvmMachine machineNamed(String name) {
    return client.resources(KvmMachine.class).inNamespace("default").withName(name).get();
  }

  String virshA(String... args) {
    List<String> cmd = new ArrayList<>(List.of("virsh", "--connect=" + uri));
    cmd.addAll(List.of(args));
    return Shell.run(cmd.toArray(new String[0])).output();
  }

  String virshB(String... args) {
    List<String> cmd = new ArrayList<>(List.of("virsh", "--connect=" + nodeB.libvirtUri()));
    cmd.addAll(List.of(args));
    return Shell.run(cmd.toArray(new String[0])).output();
  }

  static String tail(Path f, int chars) {
    try {
      String s = Files.readString(f);
      return s.length() <= chars ? s : s.substring(s.length() - chars);
    } catch (java.io.IOException e) {
      return "(" + e + ")";
    }
  }

  /**
   * An rbd KvmStoragePool on the test Ceph, its key in kvmop's own namespace here (both agents'
   * lease namespace, default); the UUID of the libvirt secret each node keeps for it.
   */
  String rbdPool(io.kvmop.testing.TestCeph ceph, String name) {
    if (client.secrets().inNamespace("default").withName("ceph-kvmop").get() == null) {
      client
          .secrets()
          .inNamespace("default")
          .resource(
              new io.fabric8.kubernetes.api.model.SecretBuilder()
                  .withNewMetadata()
                  .withName("ceph-kvmop")
                  .endMetadata()
                  .withStringData(Map.of("key", ceph.key()))
                  .build())
          .create();
    }
    io.kvmop.api.KvmStoragePool pool = new io.kvmop.api.KvmStoragePool();
    pool.getMetadata().setName(name);
    pool.setSpec(new io.kvmop.api.KvmStoragePoolSpec());
    pool.getSpec().type = "rbd";
    pool.getSpec().rbd = new io.kvmop.api.RbdPoolSpec();
    pool.getSpec().rbd.monitors = List.of(io.kvmop.testing.TestCeph.MONITOR);
    pool.getSpec().rbd.pool = io.kvmop.testing.TestCeph.POOL;
    pool.getSpec().rbd.user = io.kvmop.testing.TestCeph.USER;
    pool.getSpec().rbd.secretRef = new io.kvmop.api.CephKeyRef("ceph-kvmop", "key");
    pool = client.resource(pool).create();
    return java.util
        .UUID
        .nameUUIDFromBytes(
            ("kvmop-ceph-key:" + pool.getMetadata().getUid())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .toString();
  }

  /** The tests' images in the test Ceph, and the pool's libvirt secret on both nodes. */
  void removeRbd(io.kvmop.testing.TestCeph ceph, String secret) {
    RbdSystemBase.removeTestImages(ceph);
    for (String u : List.of(uri, nodeB.libvirtUri())) {
      Shell.run("virsh", "--connect=" + u, "secret-undefine", secret);
    }
  }
}
