package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineRestore;
import io.kvmop.api.KvmMachineRestoreSpec;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmMachineSnapshotSpec;
import io.kvmop.api.RestorePhase;
import io.kvmop.api.SnapshotPhase;
import io.kvmop.api.SnapshotSource;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.SystemLeftovers;
import io.kvmop.testing.TestGuest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Snapshots, restores and clones on a real guest: a marker written to its data disk from inside the
 * guest is snapshotted, overwritten, and read back after the restore (the guest boots and prints
 * the disk's first bytes); a clone of the snapshot boots and sees the marker too; a snapshot with
 * memory resumes the guest without a boot; deleting a snapshot removes it from libvirt, and the
 * machine's deletion leaves its other snapshots Lost.
 */
class SystemSnapshotIT extends SystemItBase {
  static final String NAME = SystemLeftovers.PREFIX + "snap";
  static final String CLONE = SystemLeftovers.PREFIX + "snapclone";
  static final String DOMAIN = "kvmop-default-" + NAME;

  KvmMachine machine(String name, Path guest, DiskSpec data) {
    KvmMachine m = Fixtures.testGuest(name, guest);
    m.getSpec().disks = new java.util.ArrayList<>(java.util.List.of(data));
    return m;
  }

  @Test
  void aMarkerComesBackWithTheRestoreAndInTheClone() throws Exception {
    Path guest = TestGuest.build();
    DiskSpec data = new DiskSpec();
    data.name = "data";
    data.size = "64Mi";
    KvmMachine m = machine(NAME, guest, data);
    m.getSpec().nodeName = "node-a";
    m.getSpec().guestAgent = true;
    k8s.create(m);
    KvmMachine up = k8s.awaitMachine(NAME, "Ready", true, "Running", 120);
    Path log = Path.of(up.getStatus().serialLogPath);
    within(120).until(() -> Files.exists(log) && Files.readString(log).contains("disk vda"));

    typeInGuest(NAME, "printf KVMOPMARKA > /dev/vda; sync; echo wrote-$((6*7))", "wrote-42");

    KvmMachineSnapshot a = client.resource(snapshot("snap-a", NAME, false)).create();
    KvmMachineSnapshot taken = awaitSnapshot("snap-a", SnapshotPhase.Ready);
    assertThat(taken.getStatus().memory).isFalse();
    assertThat(taken.getStatus().machineState).isEqualTo("Running");
    assertThat(taken.getStatus().filesystemsFrozen)
        .as("qemu-ga runs in the guest: %s", taken.getStatus().filesystemsMessage)
        .isTrue();
    String libvirtName = "kvmop-" + a.getMetadata().getUid();
    assertThat(virsh("snapshot-list", DOMAIN, "--name")).contains(libvirtName);

    typeInGuest(NAME, "printf KVMOPMARKB > /dev/vda; sync; echo wrote-$((6*8))", "wrote-48");
    long before = Files.size(log);
    client.resource(restore("restore-a", NAME, "snap-a")).create();
    KvmMachineRestore done = awaitRestore("restore-a", RestorePhase.Succeeded);
    assertThat(done.getStatus().outcome).isEqualTo("Booted");
    within(120).until(() -> after(log, before).contains("disk vda begins: KVMOPMARKA"));
    assertThat(after(log, before)).doesNotContain("KVMOPMARKB");
    k8s.awaitMachine(NAME, "Ready", true, "Running", 60);

    // a clone of the snapshot, placed by it (no nodeName), boots with the marker on its disk
    DiskSpec cloned = new DiskSpec();
    cloned.name = "data";
    cloned.snapshot = new SnapshotSource();
    cloned.snapshot.name = "snap-a";
    k8s.create(machine(CLONE, guest, cloned));
    KvmMachine clone = k8s.awaitMachine(CLONE, "Ready", true, "Running", 120);
    assertThat(clone.getStatus().nodeName).isEqualTo("node-a");
    Path cloneLog = Path.of(clone.getStatus().serialLogPath);
    within(120)
        .until(
            () ->
                Files.exists(cloneLog)
                    && Files.readString(cloneLog).contains("disk vda begins: KVMOPMARKA"));

    // with memory: the guest resumes where it was, no boot
    typeInGuest(NAME, "echo before-$((6*9))", "before-54");
    client.resource(snapshot("snap-m", NAME, true)).create();
    assertThat(awaitSnapshot("snap-m", SnapshotPhase.Ready).getStatus().memory).isTrue();
    String id = virsh("domid", DOMAIN).strip();
    long beforeMemory = Files.size(log);
    client.resource(restore("restore-m", NAME, "snap-m")).create();
    assertThat(awaitRestore("restore-m", RestorePhase.Succeeded).getStatus().outcome)
        .isEqualTo("Resumed");
    assertThat(virsh("domstate", DOMAIN).strip()).isEqualTo("running");
    typeInGuest(NAME, "echo after-$((7*9))", "after-63");
    assertThat(after(log, beforeMemory)).doesNotContain("init running");
    System.out.println(
        "domain id before and after the memory restore: "
            + id
            + ", "
            + virsh("domid", DOMAIN).strip());

    // deleting a snapshot removes it from libvirt; the machine's deletion leaves the other Lost
    client.resources(KvmMachineSnapshot.class).inNamespace("default").withName("snap-a").delete();
    within(30).until(() -> !virsh("snapshot-list", DOMAIN, "--name").contains(libvirtName));
    k8s.delete(k8s.machine(NAME));
    within(60).until(() -> k8s.machine(NAME) == null);
    awaitSnapshot("snap-m", SnapshotPhase.Lost);
    k8s.delete(k8s.machine(CLONE));
    within(60).until(() -> k8s.machine(CLONE) == null);
    client.resources(KvmMachineSnapshot.class).inNamespace("default").withName("snap-m").delete();
    within(30)
        .until(
            () ->
                client
                    .resources(KvmMachineSnapshot.class)
                    .inNamespace("default")
                    .list()
                    .getItems()
                    .isEmpty());
  }

  static String after(Path log, long offset) throws java.io.IOException {
    byte[] all = Files.readAllBytes(log);
    return new String(
        all,
        (int) Math.min(offset, all.length),
        all.length - (int) Math.min(offset, all.length),
        StandardCharsets.UTF_8);
  }

  static KvmMachineSnapshot snapshot(String name, String machine, boolean memory) {
    KvmMachineSnapshot s = new KvmMachineSnapshot();
    s.getMetadata().setName(name);
    s.getMetadata().setNamespace("default");
    s.setSpec(new KvmMachineSnapshotSpec());
    s.getSpec().machine = machine;
    s.getSpec().memory = memory;
    return s;
  }

  static KvmMachineRestore restore(String name, String machine, String snapshot) {
    KvmMachineRestore r = new KvmMachineRestore();
    r.getMetadata().setName(name);
    r.getMetadata().setNamespace("default");
    r.setSpec(new KvmMachineRestoreSpec());
    r.getSpec().machine = machine;
    r.getSpec().snapshot = snapshot;
    return r;
  }

  KvmMachineSnapshot awaitSnapshot(String name, SnapshotPhase phase) {
    within(120)
        .until(
            () -> {
              var s =
                  client
                      .resources(KvmMachineSnapshot.class)
                      .inNamespace("default")
                      .withName(name)
                      .get();
              return s != null && s.getStatus() != null && phase == s.getStatus().phase;
            });
    return client.resources(KvmMachineSnapshot.class).inNamespace("default").withName(name).get();
  }

  KvmMachineRestore awaitRestore(String name, RestorePhase phase) {
    within(120)
        .until(
            () -> {
              var r =
                  client
                      .resources(KvmMachineRestore.class)
                      .inNamespace("default")
                      .withName(name)
                      .get();
              return r != null && r.getStatus() != null && phase == r.getStatus().phase;
            });
    return client.resources(KvmMachineRestore.class).inNamespace("default").withName(name).get();
  }

  /**
   * Types a command into the guest's serial console until its answer appears (busybox's shell may
   * garble a line typed while it asks the terminal for its cursor, so the line is typed again).
   */
  void typeInGuest(String machine, String command, String answer) throws Exception {
    io.kvmop.testing.GuestConsole.type(machine, uri, command, answer);
  }
}
