package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.FailoverSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.GuestConsole;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.Shell;
import io.kvmop.testing.SystemLeftovers;
import io.kvmop.testing.TestCeph;
import io.kvmop.testing.TestGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A machine with spec.failover.policy Restart and its disk on the test Ceph, on node-b, when node-b
 * dies (its agent killed -9, its guest's QEMU killed, as in a power loss): node-a's agent restarts
 * it from the same RBD image (the guest boots reading what it wrote before), never two QEMUs of it
 * at any moment; when node-b's agent comes back it removes its stale domain without starting it.
 */
class SystemFailoverIT extends TwoNodeSystemBase {
  static final String NAME = SystemLeftovers.PREFIX + "fo";

  /** How many QEMUs of {@code domain} run on this machine (both nodes' are in its PID space). */
  static int qemus(String domain) {
    String out = Shell.run("pgrep", "-c", "-f", "guest=" + domain + ",").output().strip();
    return out.isEmpty() ? 0 : Integer.parseInt(out.lines().findFirst().orElse("0").strip());
  }

  @Test
  void aDeadNodesRestartMachineRunsElsewhereOnceFromItsImageAndTheNodeBackDropsItsStaleCopy()
      throws Exception {
    Path guest = TestGuest.build();
    TestCeph ceph = TestCeph.start();
    String secret = rbdPool(ceph, SystemLeftovers.PREFIX + "foceph");
    AtomicBoolean watching = new AtomicBoolean(true);
    AtomicInteger most = new AtomicInteger();
    Thread watch = null;
    try {
      // on node-b: node-a cordoned meanwhile
      host("node-a", true);
      uncordon("node-b");
      KvmMachine m = Fixtures.testGuest(NAME, guest);
      DiskSpec root = Fixtures.disk("root", SystemDiskIT.rawBase().toString(), "96Mi");
      root.storage = SystemLeftovers.PREFIX + "foceph";
      DiskSpec scratch = Fixtures.disk("scratch", null, "8Mi");
      scratch.disposable = true; // in node-b's directory pool: made anew where it fails over
      m.getSpec().disks = new ArrayList<>(List.of(root, scratch));
      m.getSpec().failover = new FailoverSpec();
      m.getSpec().failover.policy = "Restart";
      m.getSpec().failover.after = "10s";
      agentA.create(m);
      KvmMachine up = agentA.awaitMachine(NAME, "Ready", true, "Running", 240);
      assertThat(up.getStatus().nodeName).isEqualTo("node-b");
      assertThat(virshB("vol-list", SystemLeftovers.POOL)).contains("-scratch-");
      String domain = up.getStatus().domainName;
      Path logB =
          nodeB
              .privateCopy(SERIAL)
              .resolve(SERIAL.relativize(Path.of(up.getStatus().serialLogPath)));
      within(120)
          .until(() -> Files.exists(logB) && Files.readString(logB).contains("disk vda begins:"));
      GuestConsole.type(
          NAME,
          nodeB.libvirtUri(),
          "printf KVMOPFAILED$((40+2)) | dd of=/dev/vda conv=notrunc,fsync 2>/dev/null; echo wrote-$((6*7))",
          "wrote-42");
      uncordon("node-a");

      watch =
          new Thread(
              () -> {
                while (watching.get()) {
                  most.accumulateAndGet(qemus(domain), Math::max);
                  try {
                    Thread.sleep(50);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      watch.start();

      // node-b loses power: its agent and its guest die at once
      long t0 = System.nanoTime();
      java.time.Instant killedAt = java.time.Instant.now();
      killAgentB();
      virshB("destroy", domain);
      long[] at = new long[2];
      KvmMachine moved =
          within(180)
              .pollInterval(java.time.Duration.ofMillis(200))
              .until(
                  () -> {
                    KvmMachine now = machineNamed(NAME);
                    if (at[0] == 0 && now.getStatus() != null && now.getStatus().failover != null) {
                      at[0] = System.nanoTime();
                    }
                    return now;
                  },
                  now ->
                      now.getStatus() != null
                          && "node-a".equals(now.getStatus().nodeName)
                          && OperatorHarness.condition(now, "Running")
                              .map(c -> "True".equals(c.getStatus()))
                              .orElse(false));
      at[1] = System.nanoTime();
      // failover.time is when node-a's watch judged node-b dead, before it fenced
      long detected =
          java.time.Duration.between(
                  killedAt, java.time.Instant.parse(moved.getStatus().failover.time))
              .toMillis();
      System.out.printf(
          "node-b dies -> taken off it (lease expired, fenced): %d ms; -> Running on node-a: %d"
              + " ms; split: detection %d ms (Lease 15 s + 5 s margin + after 10 s, from the"
              + " last renewal), fencing and the status write %d ms, placement and start %d ms%n",
          (at[0] - t0) / 1_000_000,
          (at[1] - t0) / 1_000_000,
          detected,
          (at[0] - t0) / 1_000_000 - detected,
          (at[1] - at[0]) / 1_000_000);
      System.out.println(
          "failover status: "
              + io.fabric8.kubernetes.client.utils.Serialization.asYaml(
                  moved.getStatus().failover));
      assertThat(moved.getStatus().failover.fromNode).isEqualTo("node-b");
      assertThat(moved.getStatus().failover.count).isEqualTo(1);
      assertThat(moved.getStatus().failover.reason).contains("node-b", "Lease");
      assertThat(OperatorHarness.condition(moved, "Scheduled").orElseThrow().getReason())
          .isEqualTo("FailedOver");
      assertThat(virshA("domstate", domain).strip()).isEqualTo("running");
      assertThat(virshA("vol-list", SystemLeftovers.POOL))
          .as("the disposable disk, made anew on node-a")
          .contains("-scratch-");
      Path logA = Path.of(moved.getStatus().serialLogPath);
      within(120)
          .until(
              () ->
                  Files.exists(logA)
                      && Files.readString(logA).contains("disk vda begins: KVMOPFAILED42"));
      assertThat(client.v1().events().inNamespace("default").list().getItems())
          .extracting(Event::getReason)
          .contains("FailedOver");
      assertThat(agentA.operator().metrics().scrape()).contains("kvmop_failovers_total 1.0");

      // node-b is back: its agent removes its stale domain, never starting it
      String domId = virshA("domid", domain).strip();
      startAgentB();
      within(120).until(() -> !virshB("list", "--all", "--name").contains(domain));
      within(60).until(() -> !virshB("vol-list", SystemLeftovers.POOL).contains(domain + "-"));
      watching.set(false);
      watch.join();
      assertThat(most.get()).as("QEMUs of the machine at any moment").isEqualTo(1);
      assertThat(virshA("domid", domain).strip()).as("node-a's copy untouched").isEqualTo(domId);
      assertThat(machineNamed(NAME).getStatus().nodeName).isEqualTo("node-a");
      assertThat(ceph.admin("ls", TestCeph.POOL).output())
          .contains(SystemDiskIT.diskStatus(moved, "root").volume);

      client.resource(machineNamed(NAME)).delete();
      within(90).until(() -> machineNamed(NAME) == null);
    } finally {
      watching.set(false);
      if (watch != null) {
        watch.join();
      }
      removeRbd(ceph, secret);
    }
  }

  static final String CUT = SystemLeftovers.PREFIX + "focut";

  /** Adds (-I) or deletes (-D) node-b's rule refusing its traffic to the API's port. */
  Shell.Result apiRule(String op, String port) {
    return nodeB.run(
        "iptables",
        op,
        "OUTPUT",
        "-p",
        "tcp",
        "-d",
        io.kvmop.testing.SecondNode.HOST_ADDRESS,
        "--dport",
        port,
        "-j",
        "REJECT");
  }

  /**
   * node-b alive, its libvirtd and guest alive, but cut off from the API: its agent destroys its
   * Restart machine before node-a may start it, and a writer still holding the image open on node-b
   * (what the guest would be, had self-fencing failed) is blocklisted before the machine starts on
   * node-a: its writes are refused from then on.
   */
  @Test
  void aPartitionedNodeFencesItselfAndItsLeftoverWriterIsCutOffBeforeTheMachineStartsElsewhere()
      throws Exception {
    Path guest = TestGuest.build();
    TestCeph ceph = TestCeph.start();
    String secret = rbdPool(ceph, SystemLeftovers.PREFIX + "focutceph");
    Path keyring = TestCeph.DIR.resolve("ceph.client.kvmop.keyring");
    Files.writeString(keyring, "[client.kvmop]\n\tkey = " + ceph.key() + "\n");
    Process writer = null;
    String cut = null;
    try {
      host("node-a", true);
      uncordon("node-b");
      KvmMachine m = Fixtures.testGuest(CUT, guest);
      DiskSpec root = Fixtures.disk("root", SystemDiskIT.rawBase().toString(), "96Mi");
      root.storage = SystemLeftovers.PREFIX + "focutceph";
      DiskSpec data = Fixtures.disk("data", null, "16Mi");
      data.storage = SystemLeftovers.PREFIX + "focutceph";
      m.getSpec().disks = new ArrayList<>(List.of(root, data));
      m.getSpec().failover = new FailoverSpec();
      m.getSpec().failover.policy = "Restart";
      m.getSpec().failover.after = "10s";
      agentA.create(m);
      KvmMachine up = agentA.awaitMachine(CUT, "Ready", true, "Running", 240);
      assertThat(up.getStatus().nodeName).isEqualTo("node-b");
      String domain = up.getStatus().domainName;
      String dataImage =
          up.getStatus().disks.stream()
              .filter(d -> d.name.equals("data"))
              .findFirst()
              .orElseThrow()
              .volume;
      uncordon("node-a");

      // a second writer of the data disk on node-b, as the guest would be had it kept running
      Path writerLog = NODE_B.resolve("writer.log");
      Files.deleteIfExists(writerLog);
      writer =
          nodeB.spawn(
              writerLog,
              java.util.Map.of(),
              List.of(
                  "rbd",
                  "-c",
                  TestCeph.DIR.resolve("ceph.conf").toString(),
                  "--id",
                  "kvmop",
                  "bench",
                  "--io-type",
                  "write",
                  "--io-size",
                  "4096",
                  "--io-threads",
                  "1",
                  "--io-total",
                  "100G",
                  "--io-pattern",
                  "rand",
                  TestCeph.POOL + "/" + dataImage));
      within(60)
          .until(
              () ->
                  ceph.admin("status", TestCeph.POOL + "/" + dataImage)
                      .output()
                      .contains("10.251.0.2:"));

      // node-b loses the API (not Ceph, not its guest)
      long t0 = System.nanoTime();
      cut = String.valueOf(server.getPort());
      assertThat(apiRule("-I", cut).ok()).isTrue();
      within(40).until(() -> !virshB("domstate", domain).strip().equals("running"));
      long selfFenced = System.nanoTime();
      KvmMachine moved =
          within(180)
              .until(
                  () -> machineNamed(CUT),
                  now ->
                      now.getStatus() != null
                          && "node-a".equals(now.getStatus().nodeName)
                          && OperatorHarness.condition(now, "Running")
                              .map(c -> "True".equals(c.getStatus()))
                              .orElse(false));
      System.out.printf(
          "node-b cut off -> it destroyed its guest: %d ms; -> Running on node-a: %d ms%n",
          (selfFenced - t0) / 1_000_000, (System.nanoTime() - t0) / 1_000_000);
      System.out.println("fenced: " + moved.getStatus().failover.fenced);
      assertThat(moved.getStatus().failover.fenced)
          .as("the leftover writer on node-b was cut off")
          .anyMatch(f -> f.startsWith("10.251.0.2:") && f.contains(dataImage));
      assertThat(
              Shell.run(
                      "ceph",
                      "-c",
                      TestCeph.DIR.resolve("ceph.conf").toString(),
                      "osd",
                      "blocklist",
                      "ls")
                  .output())
          .contains("10.251.0.2:");
      // the writer can write no more: it ends with an error (or writes nothing more)
      Process w = writer;
      within(120).until(() -> !w.isAlive());
      System.out.println("the cut-off writer: " + tail(writerLog, 400));
      assertThat(w.exitValue()).isNotZero();
      assertThat(virshB("domstate", domain).strip()).isNotEqualTo("running");

      // node-b back on the API: its agent (it exited when it lost its Lease) removes the stale
      // domain
      apiRule("-D", cut);
      cut = null;
      assertThat(agentB.isAlive()).as("node-b's agent exited when it lost its Lease").isFalse();
      startAgentB();
      within(120).until(() -> !virshB("list", "--all", "--name").contains(domain));
      assertThat(virshA("domstate", domain).strip()).isEqualTo("running");
      client.resource(machineNamed(CUT)).delete();
      within(90).until(() -> machineNamed(CUT) == null);
    } finally {
      if (cut != null) {
        apiRule("-D", cut);
      }
      if (writer != null) {
        writer.descendants().forEach(ProcessHandle::destroyForcibly);
        writer.destroyForcibly();
      }
      Shell.run(
          "ceph", "-c", TestCeph.DIR.resolve("ceph.conf").toString(), "osd", "blocklist", "clear");
      Files.deleteIfExists(keyring);
      removeRbd(ceph, secret);
    }
  }
}
