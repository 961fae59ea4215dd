package io.kvmop.bench;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.MachineInterface;
import io.kvmop.api.NetworkMode;
import io.kvmop.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The benchmark's fleet: {@code networks} isolated KvmNetworks and {@code machines} small
 * KvmMachines, each with an interface on one of them (or none: on the test driver no guest gets an
 * address, so only machines without interfaces ever become Ready and idle), as API objects (as
 * {@code kubectl apply} leaves them) or as manifest files.
 */
record Fleet(int networks, int machines, String node, boolean interfaces) {
  static final String NS = "default";

  KvmNetwork network(int i) {
    KvmNetwork n =
        Fixtures.network(
            NS,
            netName(i),
            null,
            Fixtures.spec(NetworkMode.ISOLATED, "10." + (100 + i) + ".0.0/16"));
    n.getMetadata().setGeneration(null);
    n.getMetadata().setCreationTimestamp(null);
    return n;
  }

  static String netName(int i) {
    return "bench-net-" + i;
  }

  KvmMachine machine(int i) {
    KvmMachine m = new KvmMachine();
    m.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("bench-vm-" + i).build());
    KvmMachineSpec s = new KvmMachineSpec();
    s.nodeName = node;
    s.memory = "16Mi";
    s.shutdownTimeout = "1s";
    if (interfaces) {
      s.interfaces.add(new MachineInterface("eth0", netName(i % networks)));
    }
    m.setSpec(s);
    return m;
  }

  /**
   * The machine as a real API server holds it after {@code kubectl apply}: the last applied
   * configuration in an annotation, and the record of who set which field (managedFields). The mock
   * stores what it is sent and adds neither.
   */
  KvmMachine applied(int i) {
    KvmMachine m = machine(i);
    String lastApplied = Serialization.asJson(m);
    m.getMetadata()
        .setAnnotations(
            new java.util.HashMap<>(
                java.util.Map.of("kubectl.kubernetes.io/last-applied-configuration", lastApplied)));
    var fields = new io.fabric8.kubernetes.api.model.FieldsV1();
    fields.setAdditionalProperty(
        "f:metadata",
        java.util.Map.of(
            "f:annotations",
            java.util.Map.of(
                ".", java.util.Map.of(),
                "f:kubectl.kubernetes.io/last-applied-configuration", java.util.Map.of())));
    fields.setAdditionalProperty(
        "f:spec",
        java.util.Map.of(
            ".", java.util.Map.of(),
            "f:interfaces", java.util.Map.of(),
            "f:memory", java.util.Map.of(),
            "f:nodeName", java.util.Map.of(),
            "f:shutdownTimeout", java.util.Map.of()));
    m.getMetadata()
        .setManagedFields(
            List.of(
                new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder()
                    .withApiVersion("kvmop.io/v1alpha1")
                    .withFieldsType("FieldsV1")
                    .withFieldsV1(fields)
                    .withManager("kubectl-client-side-apply")
                    .withOperation("Update")
                    .withTime("2026-11-29T10:00:00Z")
                    .build()));
    return m;
  }

  /** Creates everything in the API from {@code threads} threads; returns the seconds it took. */
  double create(KubernetesClient client, int threads) {
    long t0 = System.nanoTime();
    for (int i = 0; i < networks; i++) {
      client.resource(network(i)).create();
    }
    parallel(threads, machines, i -> client.resource(applied(i)).create());
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Writes one manifest file per resource into {@code dir}. */
  void write(Path dir) {
    try {
      Files.createDirectories(dir);
      for (int i = 0; i < networks; i++) {
        Files.writeString(dir.resolve(netName(i) + ".yaml"), Serialization.asYaml(network(i)));
      }
      for (int i = 0; i < machines; i++) {
        KvmMachine m = machine(i);
        Files.writeString(
            dir.resolve(m.getMetadata().getName() + ".yaml"), Serialization.asYaml(m));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void parallel(int threads, int n, Consumer<Integer> task) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        done.add(pool.submit(() -> task.accept(k)));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      pool.shutdownNow();
    }
  }
}
