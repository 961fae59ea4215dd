package io.kvmop.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kvmop.api.CloudInitSpec;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmHostSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.RunStrategy;
import io.kvmop.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;

/**
 * Chaos with real guests on the real libvirtd: while machines booting the tiny guest are stopped,
 * started, deleted and created, the agent (operator mode, mock API) is killed with SIGKILL ten
 * times at random moments, and libvirtd itself is killed and started again while guests run.
 * Afterwards exactly what is declared exists, status says so, and the guest that nothing asked to
 * change was never restarted (its domain id and its QEMU process are the same). Every machine has a
 * blank data disk and a cloud-init seed, so leaked or missing volumes and seeds are audited too.
 */
@Tag("system")
class RealChaosIT {
  static final String NODE = "kvchaos-node";
  static final String POOL = "kvchaos-pool";
  static final Path POOL_PATH = Path.of("/var/lib/kvmop/kvchaos-pool");
  final Random random = new Random(7);

  @Test
  void killsAndALibvirtdRestartLeaveExactlyWhatIsDeclaredAndRestartNothing() throws Exception {
    assumeFalse(System.getProperty("kvmop.it.systemUri", "").isBlank(), "no real libvirtd");
    Path run = Files.createTempDirectory(Files.createDirectories(Path.of("target/bench")), "real-");
    ApplyToIp guests = new ApplyToIp(run);
    Connect libvirt = new Connect("qemu:///system");
    try (MockApi api = new MockApi(run)) {
      Audit audit = audit(api.client, libvirt);
      audit.removeLeftovers();
      KvmHost h = new KvmHost();
      h.setMetadata(new ObjectMetaBuilder().withName(NODE).build());
      h.setSpec(new KvmHostSpec());
      h.getSpec().cpuAllocationRatio = 4.0;
      api.client.resource(h).create();
      Map<String, String> env = new LinkedHashMap<>();
      env.put("KUBECONFIG", api.kubeconfig.toString());
      env.put("NODE_NAME", NODE);
      env.put("KVMOP_STORAGE_POOL_NAME", POOL);
      env.put("KVMOP_STORAGE_POOL_PATH", POOL_PATH.toString());
      env.put("KVMOP_SERIAL_LOG_DIR", run.resolve("serial").toAbsolutePath().toString());
      AtomicInteger starts = new AtomicInteger();
      try (Chaos.Supervisor agent = new Chaos.Supervisor(run, env, starts)) {
        api.client.resource(guests.network("kvchaos-net", "10.233.0.0/24")).create();
        for (int i = 0; i < 3; i++) {
          api.client.resource(machine(guests, i)).create();
        }
        audit.awaitConverged(agent::ensure, 240);
        Map<String, Integer> steadyBefore = audit.runningIds();
        String steady = "kvmop-default-kvchaos-0";
        String qemuBefore = qemuPid(steady);
        assertThat(steadyBefore).containsKey(steady);

        int kills = 0;
        for (int k = 0; k < 10; k++) {
          churn(api, guests, k);
          Thread.sleep(500 + random.nextInt(3500));
          agent.kill();
          kills++;
          if (k == 4) {
            // libvirtd dies and comes back while guests run (QEMU keeps running)
            Shell.run("pkill", "-9", "-x", "libvirtd");
            Thread.sleep(500);
            Shell.run("libvirtd", "-d");
            libvirt.close();
            libvirt = reconnect();
            audit = audit(api.client, libvirt);
          }
        }
        double s = audit.awaitConverged(agent::ensure, 300);
        System.out.printf(
            "real chaos: %d kills, 1 libvirtd restart, %d agent starts; converged %.1f s after%n",
            kills, starts.get(), s);
        assertThat(audit.runningIds().get(steady))
            .as("the guest nothing asked to change was never restarted")
            .isEqualTo(steadyBefore.get(steady));
        assertThat(qemuPid(steady)).isEqualTo(qemuBefore);
        assertThat(kills).isGreaterThanOrEqualTo(10);

        for (KvmMachine m :
            api.client.resources(KvmMachine.class).inNamespace("default").list().getItems()) {
          api.client.resource(m).delete();
        }
        api.client.resources(io.kvmop.api.KvmNetwork.class).inNamespace("default").delete();
        audit.awaitConverged(agent::ensure, 120);
        assertThat(audit.domains()).isEmpty();
        assertThat(audit.networks()).isEmpty();
      }
    } finally {
      audit(null, libvirt).removeLeftovers();
      libvirt.close();
    }
  }

  private static Audit audit(
      io.fabric8.kubernetes.client.KubernetesClient client, Connect libvirt) {
    return new Audit(client, libvirt, "kvchaos-").withPool(POOL, POOL_PATH);
  }

  private static Connect reconnect() throws Exception {
    for (int i = 0; ; i++) {
      try {
        return new Connect("qemu:///system");
      } catch (org.libvirt.LibvirtException e) {
        if (i > 50) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  static KvmMachine machine(ApplyToIp guests, int i) {
    KvmMachine m = guests.machine("kvchaos-" + i, "kvchaos-net");
    m.getSpec().nodeName = NODE;
    DiskSpec data = new DiskSpec();
    data.name = "data";
    data.size = "16Mi";
    m.getSpec().disks.add(data);
    m.getSpec().cloudInit = new CloudInitSpec();
    m.getSpec().cloudInit.userData = "#cloud-config\nruncmd: [echo chaos]\n";
    return m;
  }

  /** One change to kvchaos-1 or kvchaos-2 (never kvchaos-0): stop, start, delete or create. */
  private void churn(MockApi api, ApplyToIp guests, int k) {
    String name = "kvchaos-" + (1 + k % 2);
    var res = api.client.resources(KvmMachine.class).inNamespace("default").withName(name);
    KvmMachine m = res.get();
    try {
      if (m == null) {
        api.client.resource(machine(guests, 1 + k % 2)).create();
      } else if (m.getMetadata().getDeletionTimestamp() != null) {
        return;
      } else if (random.nextInt(4) == 0) {
        res.delete();
      } else {
        m.getSpec().runStrategy =
            m.getSpec().runStrategyOrDefault() == RunStrategy.Halted
                ? RunStrategy.Always
                : RunStrategy.Halted;
        api.client.resource(m).update();
      }
    } catch (RuntimeException conflict) {
      // the agent wrote meanwhile: the next change goes on
    }
  }

  private static String qemuPid(String domain) {
    return Shell.run("pgrep", "-f", "guest=" + domain + ",").output().strip();
  }
}
