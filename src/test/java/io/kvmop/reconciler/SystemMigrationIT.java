package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineMigration;
import io.kvmop.api.MigrationPhase;
import io.kvmop.api.NetworkMode;
import io.kvmop.cluster.Finalizers;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.GuestConsole;
import io.kvmop.testing.MigrationSteps;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.Shell;
import io.kvmop.testing.SystemLeftovers;
import io.kvmop.testing.TestCeph;
import io.kvmop.testing.TestGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Live migration between two real libvirtds: node-a (the host's, with an agent in this JVM) and
 * node-b (a second libvirtd in its own mount and network namespaces, joined by a veth pair, with
 * its agent in its own JVM inside them), one mock API both reach. A tiny guest with a local qcow2
 * disk, a cloud-init seed and an address on an isolated KvmNetwork moves while a counter it prints
 * to its serial console keeps counting; its address answers on both sides; a migration the target's
 * libvirtd refuses leaves it running where it was.
 */
@Tag("system")
class SystemMigrationIT extends TwoNodeSystemBase {
  static final String NET = SystemLeftovers.PREFIX + "mignet";
  static final String NAME = SystemLeftovers.PREFIX + "mig";
  static final String STAYER = SystemLeftovers.PREFIX + "migstay";

  KvmMachine machine(String name, Path guest, String... networks) {
    KvmMachine m = Fixtures.testGuest(name, guest, networks);
    m.getSpec().disks = new ArrayList<>(List.of(Fixtures.disk("data", null, "64Mi")));
    return m;
  }

  KvmMachineMigration migrate(String name, String machine, Integer bandwidthMiB) {
    return MigrationSteps.migrate(
        client, name, machine, null, spec -> spec.bandwidthMiB = bandwidthMiB);
  }

  KvmMachineMigration awaitPhase(String name, MigrationPhase phase, int seconds) {
    return MigrationSteps.awaitPhase(
        client,
        name,
        phase,
        seconds,
        () -> "\nnode-b's agent:\n" + tail(Path.of("target/node-b-agent.log"), 3000));
  }

  KvmMachineMigration migration(String name) {
    return MigrationSteps.migration(client, name);
  }

  /** The guest's echo service (port 7), asked from the host's network or from node-b's. */
  static final String ECHO =
      "exec 3<>/dev/tcp/%s/7 && echo kvmop-echo >&3 && timeout 3 head -c 11 <&3";

  static int lastTick(String log) {
    Matcher t = Pattern.compile("tick-(\\d+)").matcher(log);
    int last = -1;
    while (t.find()) {
      last = Integer.parseInt(t.group(1));
    }
    return last;
  }

  static int firstTick(String log) {
    Matcher t = Pattern.compile("tick-(\\d+)").matcher(log);
    return t.find() ? Integer.parseInt(t.group(1)) : -1;
  }

  @Test
  void aRunningMachineMovesWithItsDiskAndSeedAndKeepsCountingAndItsAddress() throws Exception {
    Path guest = TestGuest.build();
    agentA.create(NET, Fixtures.spec(NetworkMode.ISOLATED, "10.252.7.0/24"));
    within(120)
        .until(() -> TwoAgentsIT.nodesOf(agentA.get(NET)).containsAll(List.of("node-a", "node-b")));
    KvmMachine m = machine(NAME, guest, NET);
    // its first disk an overlay on a base image both nodes have (the admin's image directory):
    // only the overlay is copied, onto the same base on node-b
    m.getSpec().disks.add(0, Fixtures.disk("base", SystemDiskIT.rawBase().toString(), "64Mi"));
    m.getSpec().cloudInit = new io.kvmop.api.CloudInitSpec();
    m.getSpec().cloudInit.userData = "#cloud-config\nhostname: mover\n";
    agentA.create(m);
    KvmMachine up = agentA.awaitMachine(NAME, "Ready", true, "Running", 240);
    assertThat(up.getStatus().nodeName).isEqualTo("node-a");
    String ip = up.getStatus().ipAddresses.get(0);
    String domain = up.getStatus().domainName;
    String[] answer = {null};
    within(60)
        .pollInterval(java.time.Duration.ofSeconds(1))
        .until(
            () ->
                (answer[0] = Shell.run("bash", "-c", String.format(ECHO, ip)).output())
                    .contains("kvmop-echo"));

    Path logA = Path.of(up.getStatus().serialLogPath);
    GuestConsole.type(
        NAME,
        uri,
        "(i=0; while :; do echo tick-$i; i=$((i+1)); sleep 0.2; done) & echo started-$((6*7))",
        "started-42");
    within(20).until(() -> lastTick(Files.readString(logA)) >= 5);
    String domId = virshA("domid", domain).strip();

    uncordon("node-b");
    int before = lastTick(Files.readString(logA));
    // 16 MiB/s: the copy of its 128 MiB and its disk takes seconds, long enough to be followed
    migrate("mig-1", NAME, 16);
    KvmMachineMigration done = awaitPhase("mig-1", MigrationPhase.Succeeded, 240);
    System.out.println(
        "migration status: "
            + io.fabric8.kubernetes.client.utils.Serialization.asYaml(done.getStatus()));

    assertThat(done.getStatus().sourceNode).isEqualTo("node-a");
    assertThat(done.getStatus().targetNode).isEqualTo("node-b");
    assertThat(done.getStatus().progress.dataTotalBytes).isPositive();
    assertThat(done.getStatus().preparedFiles).anyMatch(f -> f.contains(domain + "-data-"));
    assertThat(virshA("list", "--all", "--name")).doesNotContain(domain);
    assertThat(virshB("domstate", domain).strip()).isEqualTo("running");
    assertThat(virshA("vol-list", SystemLeftovers.POOL))
        .as("no copy left on node-a")
        .doesNotContain(domain);
    assertThat(virshB("vol-list", SystemLeftovers.POOL)).contains(domain + "-data-");

    // node-b's agent owns it now, with the same address
    within(60)
        .until(
            () -> {
              KvmMachine now = machineNamed(NAME);
              return "node-b".equals(now.getStatus().nodeName)
                  && "node-b".equals(now.getMetadata().getLabels().get("kvmop.io/node"))
                  && now.getStatus().ipAddresses.contains(ip)
                  && OperatorHarness.condition(now, "Ready")
                      .map(c -> "True".equals(c.getStatus()))
                      .orElse(false);
            });
    assertThat(machineNamed(NAME).getMetadata().getFinalizers())
        .containsExactly(Finalizers.machine("node-b"));

    // the guest never stopped: its counter goes on in node-b's copy of the serial log, no boot
    Path logB = nodeB.privateCopy(SERIAL).resolve(SERIAL.relativize(logA));
    within(30).until(() -> Files.exists(logB) && lastTick(Files.readString(logB)) > before + 5);
    String after = Files.readString(logB);
    System.out.println(
        "ticks before the migration up to "
            + before
            + "; on node-b from "
            + firstTick(after)
            + " to "
            + lastTick(after));
    assertThat(firstTick(after)).isGreaterThan(before);
    assertThat(after).doesNotContain("Linux version");
    assertThat(Files.exists(logA)).as("node-a's serial log went with its copies").isFalse();

    // its disk reads the base image through node-b's overlay
    GuestConsole.type(NAME, nodeB.libvirtUri(), "head -c 14 /dev/vda; echo", SystemDiskIT.MARKER);
    assertThat(
            virshB(
                "vol-dumpxml",
                "--pool",
                SystemLeftovers.POOL,
                done.getStatus().preparedFiles.stream()
                    .map(f -> Path.of(f).getFileName().toString())
                    .filter(f -> f.contains("-base-"))
                    .findFirst()
                    .orElseThrow()))
        .contains("<backingStore>", SystemDiskIT.rawBase().toString());

    // its address answers from node-b's network now
    within(30)
        .pollInterval(java.time.Duration.ofSeconds(1))
        .until(
            () -> nodeB.run("bash", "-c", String.format(ECHO, ip)).output().contains("kvmop-echo"));
    assertThat(client.v1().events().inNamespace("default").list().getItems())
        .extracting(Event::getReason)
        .contains("Migrating", "Migrated");
  }

  static final String RBD = SystemLeftovers.PREFIX + "migrbd";

  @Test
  void aMachineOnRbdMovesWithOnlyItsMemoryAndKeepsWhatItWroteToCeph() throws Exception {
    Path guest = TestGuest.build();
    TestCeph ceph = TestCeph.start();
    String storage = SystemLeftovers.PREFIX + "migceph";
    String secret = rbdPool(ceph, storage);
    String image = null;
    try {
      KvmMachine m = Fixtures.testGuest(RBD, guest);
      io.kvmop.api.DiskSpec root = Fixtures.disk("root", SystemDiskIT.rawBase().toString(), "96Mi");
      root.storage = storage;
      m.getSpec().disks = new ArrayList<>(List.of(root));
      agentA.create(m);
      // for the figures: the same guest with the same root disk in node-a's directory pool
      KvmMachine local = Fixtures.testGuest(RBD + "cmp", guest);
      local.getSpec().disks =
          new ArrayList<>(
              List.of(Fixtures.disk("root", SystemDiskIT.rawBase().toString(), "96Mi")));
      agentA.create(local);
      KvmMachine up = agentA.awaitMachine(RBD, "Ready", true, "Running", 240);
      agentA.awaitMachine(RBD + "cmp", "Ready", true, "Running", 240);
      assertThat(up.getStatus().nodeName).isEqualTo("node-a");
      String domain = up.getStatus().domainName;
      image = up.getStatus().disks.get(0).volume;
      Path logA = Path.of(up.getStatus().serialLogPath);
      within(120)
          .until(() -> Files.readString(logA).contains("disk vda begins: " + SystemDiskIT.MARKER));
      // the guest writes a marker 1 MiB into its disk, synced: it is in Ceph, not in a local file
      GuestConsole.type(
          RBD,
          uri,
          "printf KVMOPMOVED$((40+2)) | dd of=/dev/vda bs=512 seek=2048 conv=notrunc,fsync"
              + " 2>/dev/null; echo wrote-$((6*7))",
          "wrote-42");
      Path exported = NODE_B.resolve("exported.raw");
      Files.deleteIfExists(exported);
      assertThat(ceph.admin("export", TestCeph.POOL + "/" + image, exported.toString()).ok())
          .isTrue();
      byte[] at = new byte[12];
      try (var f = new java.io.RandomAccessFile(exported.toFile(), "r")) {
        f.seek(1 << 20);
        f.readFully(at);
      }
      Files.deleteIfExists(exported);
      assertThat(new String(at, java.nio.charset.StandardCharsets.US_ASCII))
          .isEqualTo("KVMOPMOVED42");
      String domId = virshA("domid", domain).strip();

      uncordon("node-b");
      long t0 = System.nanoTime();
      migrate("mig-rbd", RBD, null);
      KvmMachineMigration done = awaitPhase("mig-rbd", MigrationPhase.Succeeded, 240);
      long rbdMs = (System.nanoTime() - t0) / 1_000_000;
      t0 = System.nanoTime();
      migrate("mig-rbd-cmp", RBD + "cmp", null);
      KvmMachineMigration copied = awaitPhase("mig-rbd-cmp", MigrationPhase.Succeeded, 240);
      long copiedMs = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf(
          "live migration of the tiny guest (128 MiB, a 96 MiB root disk), no bandwidth cap:"
              + " disk on RBD (memory only) %d ms, libvirt's own %s ms, downtime %s ms; disk in the"
              + " directory pool (copied) %d ms, libvirt's own %s ms, downtime %s ms%n",
          rbdMs,
          done.getStatus().progress == null ? "?" : done.getStatus().progress.elapsedMillis,
          done.getStatus().progress == null ? "?" : done.getStatus().progress.downtimeMillis,
          copiedMs,
          copied.getStatus().progress == null ? "?" : copied.getStatus().progress.elapsedMillis,
          copied.getStatus().progress == null ? "?" : copied.getStatus().progress.downtimeMillis);
      assertThat(copied.getStatus().storage).isEqualTo("Copied");
      client.resource(machineNamed(RBD + "cmp")).delete();
      System.out.println(
          "RBD migration status: "
              + io.fabric8.kubernetes.client.utils.Serialization.asYaml(done.getStatus()));
      assertThat(done.getStatus().storage).isEqualTo("MemoryOnly");
      assertThat(done.getStatus().sharedDisks).containsExactly("vda");
      assertThat(done.getStatus().preparedFiles)
          .as("no volume of the disk is made on node-b")
          .noneMatch(f -> f.contains(domain + "-root-"));
      assertThat(virshB("domstate", domain).strip()).isEqualTo("running");
      assertThat(virshA("list", "--all", "--name")).doesNotContain(domain);
      assertThat(virshB("vol-list", SystemLeftovers.POOL)).doesNotContain(domain + "-root-");
      assertThat(virshB("dumpxml", domain))
          .contains("protocol='rbd'", TestCeph.POOL + "/" + image, secret)
          .doesNotContain(ceph.key());
      assertThat(ceph.admin("ls", TestCeph.POOL).output())
          .as("the image stayed, one image of the disk")
          .contains(image);
      // the moved guest reads its marker from the same image, past its page cache
      GuestConsole.type(
          RBD,
          nodeB.libvirtUri(),
          "dd if=/dev/vda bs=512 skip=2048 count=1 iflag=direct 2>/dev/null | head -c 12; echo",
          "KVMOPMOVED42");
      assertThat(Files.readString(nodeB.privateCopy(SERIAL).resolve(SERIAL.relativize(logA))))
          .as("no boot on node-b")
          .doesNotContain("Linux version");
      within(60)
          .until(
              () ->
                  "node-b".equals(machineNamed(RBD).getStatus().nodeName)
                      && OperatorHarness.condition(machineNamed(RBD), "Ready")
                          .map(c -> "True".equals(c.getStatus()))
                          .orElse(false));
      assertThat(domId).isNotBlank();

      // deleted on node-b: its image goes, the base stays
      client.resource(machineNamed(RBD)).delete();
      within(90).until(() -> machineNamed(RBD) == null);
      assertThat(ceph.admin("ls", TestCeph.POOL).output()).doesNotContain(image);
      image = null;
    } finally {
      if (image != null) {
        Shell.run("virsh", "--connect=" + uri, "destroy", RBD);
      }
      removeRbd(ceph, secret);
    }
  }

  @Test
  void aMigrationTheTargetRefusesLeavesTheMachineRunningWhereItWas() throws Exception {
    Path guest = TestGuest.build();
    agentA.create(machine(STAYER, guest));
    KvmMachine up = agentA.awaitMachine(STAYER, "Running", true, "Running", 240);
    String domain = up.getStatus().domainName;
    String domId = virshA("domid", domain).strip();
    // node-b's libvirtd holds a domain of its own with the machine's UUID: it refuses the copy
    Path foreign = NODE_B.resolve("foreign.xml");
    Files.writeString(
        foreign,
        "<domain type='qemu'><name>not-kvmops</name><uuid>"
            + up.getMetadata().getUid()
            + "</uuid><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os></domain>");
    virshB("define", foreign.toString());
    uncordon("node-b");

    migrate("mig-2", STAYER, null);
    KvmMachineMigration failed = awaitPhase("mig-2", MigrationPhase.Failed, 240);
    String message = ready(failed).getMessage();
    System.out.println("refused: " + message);
    assertThat(ready(failed).getReason()).isEqualTo("MigrationFailed");
    assertThat(message)
        .contains("keeps running on node node-a", "not-kvmops")
        .doesNotContain("reachable");
    assertThat(virshA("domid", domain).strip())
        .as("the same QEMU, never restarted")
        .isEqualTo(domId);
    assertThat(virshA("domstate", domain).strip()).isEqualTo("running");
    assertThat(virshB("list", "--all", "--name")).contains("not-kvmops").doesNotContain(domain);
    within(30).until(() -> Boolean.TRUE.equals(migration("mig-2").getStatus().targetCleaned));
    assertThat(virshB("vol-list", SystemLeftovers.POOL)).doesNotContain(domain);
    KvmMachine after = machineNamed(STAYER);
    assertThat(after.getMetadata().getLabels()).containsEntry("kvmop.io/node", "node-a");
    assertThat(after.getMetadata().getFinalizers()).containsExactly(Finalizers.machine("node-a"));
  }

  @Test
  void aSpanningNetworkJoinsMachinesOnBothNodesAndAMovedOneStaysReachable() throws Exception {
    Path guest = TestGuest.build();
    io.kvmop.api.KvmNetworkSpec spec = Fixtures.spec(NetworkMode.ISOLATED, "10.252.9.0/24");
    spec.span = new io.kvmop.api.SpanSpec();
    agentA.create(WIDE, spec);
    within(120)
        .until(
            () -> {
              var n = agentA.get(WIDE);
              return n != null
                  && n.getStatus() != null
                  && n.getStatus().nodes.size() == 2
                  && n.getStatus().nodes.stream()
                      .allMatch(
                          e ->
                              e.tunnel != null
                                  && Boolean.TRUE.equals(e.tunnel.up)
                                  && e.tunnel.peers.size() == 1);
            });
    // y stays on node-a, x starts there (node-b is cordoned), z on node-b
    KvmMachine y = machine(Y, guest, WIDE);
    y.getSpec().disks = null;
    y.getSpec().nodeName = "node-a";
    agentA.create(y);
    KvmMachine x = machine(X, guest, WIDE);
    x.getSpec().disks = null;
    agentA.create(x);
    String yIp =
        agentA.awaitMachine(Y, "Ready", true, "Running", 240).getStatus().ipAddresses.get(0);
    KvmMachine xUp = agentA.awaitMachine(X, "Ready", true, "Running", 240);
    String xIp = xUp.getStatus().ipAddresses.get(0);
    assertThat(xUp.getStatus().nodeName).isEqualTo("node-a");
    uncordon("node-b");
    KvmMachine z = machine(Z, guest, WIDE);
    z.getSpec().disks = null;
    z.getSpec().nodeName = "node-b";
    agentA.create(z);
    within(240)
        .until(
            () -> {
              KvmMachine now = machineNamed(Z);
              return now != null
                  && now.getStatus() != null
                  && !now.getStatus().ipAddresses.isEmpty()
                  && "node-b".equals(now.getStatus().nodeName);
            });
    String zIp = machineNamed(Z).getStatus().ipAddresses.get(0);
    var allocated = agentA.get(WIDE).getStatus().addresses;
    assertThat(allocated).extracting(a -> a.ip).containsExactlyInAnyOrder(xIp, yIp, zIp);
    System.out.println(
        "spanning network: x " + xIp + ", y " + yIp + " (node-a), z " + zIp + " (node-b)");

    // x on node-a and z on node-b exchange a line through the tunnel, by address
    GuestConsole.type(X, uri, "echo across-$((6*7)) | nc -w 3 " + zIp + " 7", "across-42");
    // and node-a's DNS knows z, which runs on node-b, by its name
    GuestConsole.type(X, uri, "nslookup -type=a " + Z + " 10.252.9.1", zIp);

    // x moves to node-b with its address, and y on node-a still reaches it (and it y)
    migrate("mig-3", X, null);
    awaitPhase("mig-3", MigrationPhase.Succeeded, 240);
    within(60)
        .until(
            () ->
                "node-b".equals(machineNamed(X).getStatus().nodeName)
                    && machineNamed(X).getStatus().ipAddresses.contains(xIp));
    GuestConsole.type(Y, uri, "echo moved-$((7*7)) | nc -w 3 " + xIp + " 7", "moved-49");
    GuestConsole.type(
        X, nodeB.libvirtUri(), "echo back-$((8*8)) | nc -w 3 " + yIp + " 7", "back-64");
  }

  static final String WIDE = SystemLeftovers.PREFIX + "wide";
  static final String X = SystemLeftovers.PREFIX + "x";
  static final String Y = SystemLeftovers.PREFIX + "y";
  static final String Z = SystemLeftovers.PREFIX + "z";

  static io.fabric8.kubernetes.api.model.Condition ready(KvmMachineMigration g) {
    return MigrationSteps.ready(g);
  }
}
