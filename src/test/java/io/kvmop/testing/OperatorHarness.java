package io.kvmop.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kvmop.agent.KvmopOperator;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkSpec;
import io.kvmop.config.OperatorConfig;
import io.kvmop.host.HostFiles;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.network.HostNetworkPort;
import io.kvmop.status.Conditions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.awaitility.core.ConditionFactory;

/**
 * The operator as it runs on a node, against the Kubernetes API the test gives it (the Fabric8 mock
 * in CRUD mode, with kvmop's generated CRDs applied so status is a real subresource).
 */
public final class OperatorHarness implements AutoCloseable {
  public static final String NAMESPACE = "default";

  /** Serial logs of test machines: under target/, removed by mvn clean. */
  public static final String SERIAL_LOG_DIR =
      Path.of("target/kvmop-serial").toAbsolutePath().toString();

  static final boolean REAL_CLUSTER = Boolean.getBoolean("kvmop.it.realCluster");
  public final KubernetesClient client;
  public final String node;
  private final KvmopOperator operator;

  /** Settings of every test agent: fast rechecks, serial logs under target/. */
  static final Map<String, String> BASE_ENV =
      Map.of(
          "KVMOP_AUTOSTART_CHECK_SECONDS",
          "0.3",
          "KVMOP_BLOCKED_RECHECK_SECONDS",
          "0.5",
          "KVMOP_HOST_RECHECK_SECONDS",
          "1",
          "KVMOP_SERIAL_LOG_DIR",
          Path.of("target/kvmop-serial").toAbsolutePath().toString(),
          "KVMOP_STORAGE_POOL_NAME",
          SystemLeftovers.POOL,
          "KVMOP_STORAGE_POOL_PATH",
          SystemLeftovers.POOL_PATH,
          "KVMOP_HTTP_PORT",
          "0");

  public OperatorHarness(
      KubernetesClient mock, String node, LibvirtPort libvirt, HostNetworkPort host) {
    this(mock, node, libvirt, host, Map.of());
  }

  public OperatorHarness(
      KubernetesClient mock,
      String node,
      LibvirtPort libvirt,
      HostNetworkPort host,
      Map<String, String> extraEnv) {
    this(mock, node, libvirt, host, extraEnv, HostFiles.ofHost());
  }

  /**
   * @param hostFiles the host the agent's KVM checks read (a made-up one decides the verdict)
   */
  public OperatorHarness(
      KubernetesClient mock,
      String node,
      LibvirtPort libvirt,
      HostNetworkPort host,
      Map<String, String> extraEnv,
      HostFiles hostFiles) {
    // JOSDK 5.2's TimerEventSource can race a reschedule against the cancel of a new event for the
    // same resource ("Task already scheduled or cancelled", thrown on its executor thread; the new
    // event reconciles the resource anyway): awaitility would fail any test on it, from any thread
    org.awaitility.Awaitility.doNotCatchUncaughtExceptionsByDefault();
    this.client = REAL_CLUSTER ? new KubernetesClientBuilder().build() : mock;
    this.node = node;
    applyCrds(client);
    Map<String, String> env = new HashMap<>(BASE_ENV);
    env.put("NODE_NAME", node);
    env.put("KVMOP_LIBVIRT_URI", libvirt.uri());
    env.putAll(extraEnv);
    OperatorConfig config = OperatorConfig.fromEnvironment(env);
    this.operator = new KvmopOperator(config, client, libvirt, host, hostFiles);
  }

  /** Starts the agent once it holds its node's lease (at most 60 s: a test never hangs). */
  public OperatorHarness start() {
    operator.start(java.time.Duration.ofSeconds(60));
    return this;
  }

  public static void applyCrds(KubernetesClient client) {
    try (Stream<Path> files = Files.list(Path.of("target/classes/META-INF/fabric8"))) {
      for (Path f : files.filter(p -> p.toString().endsWith("-v1.yml")).toList()) {
        try (InputStream in = Files.newInputStream(f)) {
          CustomResourceDefinition crd =
              client.apiextensions().v1().customResourceDefinitions().load(in).item();
          client.resource(crd).createOr(r -> r.update());
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("generated CRDs missing: run mvn process-classes", e);
    }
  }

  public KvmNetwork create(String name, KvmNetworkSpec spec) {
    KvmNetwork n = new KvmNetwork();
    n.getMetadata().setName(name);
    n.getMetadata().setNamespace(NAMESPACE);
    n.setSpec(spec);
    return client.resource(n).create();
  }

  public KvmMachine create(KvmMachine m) {
    return client.resource(m).create();
  }

  public KvmNetwork get(String name) {
    return client.resources(KvmNetwork.class).inNamespace(NAMESPACE).withName(name).get();
  }

  public void delete(HasMetadata r) {
    client.resource(r).delete();
  }

  public static Optional<Condition> condition(KvmNetwork n, String type) {
    return n == null || n.getStatus() == null
        ? Optional.empty()
        : Conditions.find(n.getStatus().conditions, type);
  }

  public static ConditionFactory within(int seconds) {
    return await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(50));
  }

  /** Waits until the network's Ready has this status and reason; returns the network then. */
  public KvmNetwork awaitReady(String name, boolean status, String reason) {
    return awaitCondition(
        () -> get(name),
        n -> condition(n, "Ready"),
        n -> n.getStatus(),
        "Ready",
        status,
        reason,
        15);
  }

  public KvmMachine machine(String name) {
    return client.resources(KvmMachine.class).inNamespace(NAMESPACE).withName(name).get();
  }

  public static Optional<Condition> condition(KvmMachine m, String type) {
    return m == null || m.getStatus() == null
        ? Optional.empty()
        : Conditions.find(m.getStatus().conditions, type);
  }

  /** Waits until the machine's condition has this status and reason; returns the machine then. */
  public KvmMachine awaitMachine(
      String name, String type, boolean status, String reason, int seconds) {
    return awaitCondition(
        () -> machine(name),
        m -> condition(m, type),
        m -> m.getStatus(),
        type,
        status,
        reason,
        seconds);
  }

  /** Polls until a condition matches; on timeout prints the last status, which says why. */
  private static <R> R awaitCondition(
      java.util.function.Supplier<R> read,
      java.util.function.Function<R, Optional<Condition>> conditionOf,
      java.util.function.Function<R, Object> statusOf,
      String type,
      boolean status,
      String reason,
      int seconds) {
    String s = status ? "True" : "False";
    within(seconds)
        .conditionEvaluationListener(
            e -> {
              if (e.getRemainingTimeInMS() <= 100) {
                R last = read.get();
                System.err.printf(
                    "timed out waiting for %s=%s/%s; last status: %s%n",
                    type,
                    s,
                    reason,
                    last == null
                        ? "(deleted)"
                        : io.fabric8.kubernetes.client.utils.Serialization.asYaml(
                            statusOf.apply(last)));
              }
            })
        .until(
            () -> {
              R r = read.get();
              return r != null
                  && conditionOf
                      .apply(r)
                      .filter(c -> s.equals(c.getStatus()) && reason.equals(c.getReason()))
                      .isPresent();
            });
    return read.get();
  }

  /**
   * Updates the spec as a person would with kubectl edit: onto the latest copy, again when the
   * agent wrote status in between (409 Conflict).
   */
  public <S, T extends io.fabric8.kubernetes.client.CustomResource<S, ?>> T updateSpec(T wanted) {
    for (int attempt = 0; ; attempt++) {
      T latest = client.resource(wanted).get();
      latest.setSpec(wanted.getSpec());
      try {
        return client.resource(latest).update();
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 20) {
          throw e;
        }
      }
    }
  }

  public io.kvmop.api.KvmHost host(String name) {
    return client.resources(io.kvmop.api.KvmHost.class).withName(name).get();
  }

  /** Waits until this node's KvmHost satisfies the check; returns it then. */
  public io.kvmop.api.KvmHost awaitHost(
      java.util.function.Predicate<io.kvmop.api.KvmHost> check, int seconds) {
    within(seconds)
        .conditionEvaluationListener(
            e -> {
              if (e.getRemainingTimeInMS() <= 100) {
                var last = host(node);
                System.err.printf(
                    "timed out waiting for KvmHost %s; last: %s%n",
                    node,
                    last == null
                        ? "(none)"
                        : io.fabric8.kubernetes.client.utils.Serialization.asYaml(last));
              }
            })
        .until(
            () -> host(node) != null && host(node).getStatus() != null && check.test(host(node)));
    return host(node);
  }

  /** The operator under test (its metrics and HTTP port). */
  public KvmopOperator operator() {
    return operator;
  }

  private boolean closed;

  /** Stops the agent; a second call does nothing. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      operator.close();
    }
  }
}
