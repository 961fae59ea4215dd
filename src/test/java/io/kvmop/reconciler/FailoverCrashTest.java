package io.kvmop.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kvmop.api.CephKeyRef;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.DiskStatus;
import io.kvmop.api.FailoverSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.KvmStoragePool;
import io.kvmop.api.KvmStoragePoolSpec;
import io.kvmop.api.RbdPoolSpec;
import io.kvmop.cluster.Finalizers;
import io.kvmop.cluster.NodeLease;
import io.kvmop.metrics.KvmopMetrics;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import io.kvmop.storage.FakeRbd;
import io.kvmop.storage.RbdFencing;
import io.kvmop.storage.StorageCatalog;
import io.kvmop.testing.Fixtures;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Failover and its fencing interrupted at every step, then done by a fresh agent: node-b's watch
 * dies just before each write it makes (each Ceph blocklisting, each API write: status, event,
 * label and finalizer), and a new watch with nothing in memory looks again. It must end exactly as
 * an uninterrupted run: the machine unplaced once, its failover counted once, the dead node's
 * finalizer gone, its old writer blocklisted; and at no moment may the machine be free to be placed
 * elsewhere while its old writer is not yet cut off. A machine deleted while its node is dead is
 * released the same way: its images are never removed before their writer is fenced.
 */
@EnableKubernetesMockClient(crud = true)
class FailoverCrashTest {
  private static final String NS = "kvmop-system";
  private static final String WRITER = "10.0.0.9:0/3141592653";
  private static final String IMAGE = "kvmop-default-ha-root-12345678";
  KubernetesClient client;

  /** Thrown where the agent dies: nothing after it in that look happens. */
  static final class Killed extends RuntimeException {
    Killed(String at) {
      super("killed before " + at);
    }
  }

  private FakeRbd rbd;
  private final AtomicInteger writes = new AtomicInteger();
  private volatile int crashAt = -1;
  private final List<String> steps = new ArrayList<>();

  private void step(String what) {
    int n = writes.getAndIncrement();
    if (n == crashAt) {
      throw new Killed(what);
    }
    steps.add(what);
  }

  private StorageCatalog catalog() {
    KvmStoragePool p = new KvmStoragePool();
    p.getMetadata().setName("ceph");
    p.getMetadata().setUid("pool-uid");
    p.setSpec(new KvmStoragePoolSpec());
    p.getSpec().type = "rbd";
    p.getSpec().rbd = new RbdPoolSpec();
    p.getSpec().rbd.monitors = List.of("10.0.0.1:6789");
    p.getSpec().rbd.pool = "vms";
    p.getSpec().rbd.secretRef = new CephKeyRef("ceph-key", "key");
    return new StorageCatalog() {
      @Override
      public List<KvmStoragePool> pools() {
        return List.of(p);
      }

      @Override
      public Optional<String> key(CephKeyRef ref) {
        return Optional.of("QVFCdGVzdGtleWZvcnVuaXR0ZXN0cw==");
      }
    };
  }

  /** node-b's watch; {@code crashing} its client dies before its write number crashAt. */
  private FailoverWatch watch(boolean crashing) {
    KubernetesClient c = client;
    if (crashing) {
      Interceptor dies =
          new Interceptor() {
            @Override
            public void before(
                io.fabric8.kubernetes.client.http.BasicBuilder b,
                io.fabric8.kubernetes.client.http.HttpRequest r,
                RequestTags tags) {
              if (!"GET".equals(r.method())) {
                step(r.method() + " " + r.uri().getPath());
              }
            }
          };
      c =
          new KubernetesClientBuilder()
              .withConfig(client.getConfiguration())
              .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("dies", dies))
              .build();
    }
    rbd.beforeWrite = crashing ? this::step : call -> {};
    Function<KvmMachine, Optional<List<Happened>>> reclaim =
        m -> {
          if (rbd.images.containsKey(IMAGE)) {
            rbd.remove(IMAGE);
            return Optional.of(List.of(new Happened(Reasons.VOLUME_DELETED, "removed " + IMAGE)));
          }
          return Optional.of(List.of());
        };
    return new FailoverWatch(
        c,
        "node-b",
        NS,
        new RbdFencing(catalog(), (cl, pool, ns) -> rbd),
        reclaim,
        Clock.systemUTC(),
        new KvmopMetrics());
  }

  private void setUp() {
    client.resources(KvmMachine.class).inAnyNamespace().delete();
    client.leases().inNamespace(NS).delete();
    rbd = new FakeRbd();
    rbd.put(IMAGE, 1 << 30, Map.of("kvmop.uid", "uid"));
    rbd.open.put(IMAGE, List.of(WRITER));
    Lease dead =
        new LeaseBuilder()
            .withNewMetadata()
            .withName(NodeLease.nameFor("node-a"))
            .withNamespace(NS)
            .endMetadata()
            .withNewSpec()
            .withHolderIdentity("node-a")
            .withLeaseDurationSeconds(15)
            .withRenewTime(ZonedDateTime.now().minusMinutes(5))
            .endSpec()
            .build();
    client.resource(dead).create();
    KvmMachine m = Fixtures.machine("default", "ha");
    m.getMetadata().setUid(null);
    m.getMetadata().setLabels(Map.of("kvmop.io/node", "node-a"));
    m.getMetadata().setFinalizers(List.of(Finalizers.machine("node-a")));
    DiskSpec root = new DiskSpec();
    root.name = "root";
    root.size = "1Gi";
    root.storage = "ceph";
    m.getSpec().disks = List.of(root);
    m.getSpec().failover = new FailoverSpec();
    m.getSpec().failover.policy = "Restart";
    m.getSpec().failover.after = "10s";
    KvmMachine made = client.resource(m).create();
    KvmMachineStatus s = new KvmMachineStatus();
    s.nodeName = "node-a";
    DiskStatus d = new DiskStatus();
    d.name = "root";
    d.storage = "ceph";
    d.volume = IMAGE;
    d.path = "rbd:vms/" + IMAGE;
    s.disks = List.of(d);
    made.setStatus(s);
    client.resource(made).updateStatus();
    writes.set(0);
    steps.clear();
  }

  private KvmMachine machine() {
    return client.resources(KvmMachine.class).inNamespace("default").withName("ha").get();
  }

  /** Free to be placed: neither labelled nor held by node-a any more. */
  private static boolean free(KvmMachine m) {
    return m != null
        && (m.getMetadata().getLabels() == null
            || !m.getMetadata().getLabels().containsKey("kvmop.io/node"));
  }

  @Test
  void aFailoverCutOffBeforeEachOfItsWritesEndsAsOneUninterruptedRun() {
    setUp();
    watch(true).pass(); // counts the writes of one whole run
    int total = writes.get();
    List<String> whole = List.copyOf(steps);
    System.out.println("the writes of one failover: " + whole);
    assertThat(whole.get(0)).as("the old writer is cut off first").startsWith("blocklist");
    assertThat(total).isGreaterThanOrEqualTo(3);
    for (int k = 0; k < total; k++) {
      setUp();
      crashAt = k;
      watch(true).pass();
      crashAt = -1;
      KvmMachine between = machine();
      if (free(between)) {
        assertThat(rbd.blocked)
            .as("free to be placed after write %d: fenced first", k)
            .isNotEmpty();
      }
      watch(false).pass(); // a fresh agent, nothing in memory
      KvmMachine after = machine();
      assertThat(free(after)).as("killed before write %d (%s)", k, whole.get(k)).isTrue();
      assertThat(after.getMetadata().getFinalizers()).doesNotContain(Finalizers.machine("node-a"));
      assertThat(after.getStatus().nodeName).isNull();
      assertThat(after.getStatus().failover.fromNode).isEqualTo("node-a");
      assertThat(after.getStatus().failover.count).as("counted once, k=%d", k).isEqualTo(1);
      assertThat(after.getStatus().failover.fenced).singleElement().asString().contains(WRITER);
      assertThat(rbd.blocked).contains(WRITER);
      watch(false).pass();
      assertThat(machine().getStatus().failover.count).as("a third look does nothing").isEqualTo(1);
    }
  }

  @Test
  void aReleaseOfADeletedMachineCutOffBeforeEachWriteNeverRemovesAnImageBeforeItsWriterIsFenced() {
    setUp();
    client
        .resource(machine())
        .delete(); // deleted while node-a is dead: node-a's finalizer holds it
    writes.set(0);
    steps.clear();
    watch(true).pass();
    int total = writes.get();
    List<String> whole = List.copyOf(steps);
    System.out.println("the writes of one release: " + whole);
    assertThat(whole.indexOf("blocklist " + WRITER)).isLessThan(whole.indexOf("remove " + IMAGE));
    for (int k = 0; k < total; k++) {
      setUp();
      client.resource(machine()).delete();
      writes.set(0);
      steps.clear();
      crashAt = k;
      watch(true).pass();
      crashAt = -1;
      if (!rbd.images.containsKey(IMAGE)) {
        assertThat(rbd.blocked).as("removed after write %d: fenced first", k).contains(WRITER);
      }
      watch(false).pass();
      assertThat(machine()).as("killed before write %d (%s): released", k, whole.get(k)).isNull();
      assertThat(rbd.images).doesNotContainKey(IMAGE);
      assertThat(rbd.blocked).contains(WRITER);
    }
  }
}
