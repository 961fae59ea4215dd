package io.kvmop.reconciler;

import static io.kvmop.testing.Fixtures.disk;
import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.NetworkMode;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.SystemLeftovers;
import io.kvmop.testing.TestGuest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Apply to IP of the tiny guest with its root disk on the test Ceph (an RBD clone of the pool's
 * base) and in the node's directory pool (a qcow2 overlay), interleaved in one run, as figures:
 * medians, never timed assertions. The first RBD machine also imports the base once; it is shown
 * apart.
 */
class SystemRbdBenchIT extends RbdSystemBase {
  private static final int ROUNDS = 2;

  @Test
  void applyToIpOnRbdAndOnTheNodesDirectoryPool() throws Exception {
    Path guest = TestGuest.build();
    pool();
    String net = SystemLeftovers.PREFIX + "benchnet";
    k8s.create(net, Fixtures.spec(NetworkMode.ISOLATED, "10.251.12.0/24"));
    k8s.awaitReady(net, true, "Active");
    List<Long> rbd = new ArrayList<>();
    List<Long> local = new ArrayList<>();
    long first = -1;
    for (int round = 0; round <= ROUNDS; round++) {
      for (boolean onRbd : new boolean[] {true, false}) {
        long ms = applyToIp(guest, net, "bench" + (onRbd ? "r" : "d") + round, onRbd);
        if (round == 0) {
          first = onRbd ? ms : first; // the base's import, and a cold cache, are in round 0
        } else {
          (onRbd ? rbd : local).add(ms);
        }
      }
    }
    System.out.printf(
        "apply -> IP, tiny guest, a 96 MiB root disk from the test raw image: RBD clone on"
            + " Ceph median %d ms %s, directory pool (qcow2 overlay) median %d ms %s; the first RBD"
            + " machine, importing the base: %d ms%n",
        median(rbd), rbd, median(local), local, first);
    assertThat(rbd).hasSize(ROUNDS);
  }

  private long applyToIp(Path guest, String net, String name, boolean onRbd) throws Exception {
    DiskSpec root = disk("root", SystemDiskIT.rawBase().toString(), "96Mi");
    if (onRbd) {
      root.storage = STORAGE;
    }
    KvmMachine m = machine("default", name, guest, root);
    m.getSpec().interfaces = Fixtures.machine("default", name, net).getSpec().interfaces;
    long t0 = System.nanoTime();
    k8s.create(m);
    String full = SystemLeftovers.PREFIX + name;
    within(240)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> k8s.machine(full),
            x -> x != null && x.getStatus() != null && !x.getStatus().ipAddresses.isEmpty());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    k8s.delete(k8s.machine(full));
    within(120).until(() -> k8s.machine(full) == null);
    return ms;
  }

  private static long median(List<Long> xs) {
    List<Long> s = xs.stream().sorted().toList();
    return s.get(s.size() / 2);
  }
}
