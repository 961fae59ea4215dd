package io.kvmop.reconciler;

import static io.kvmop.testing.Fixtures.disk;
import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.RestorePhase;
import io.kvmop.api.SnapshotPhase;
import io.kvmop.api.SnapshotSource;
import io.kvmop.testing.SystemLeftovers;
import io.kvmop.testing.TestCeph;
import io.kvmop.testing.TestGuest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Snapshots, restores and clones of a machine on RBD, against the real Ceph and a real guest: the
 * guest writes markers to its two RBD disks, a snapshot makes one RBD snapshot of each image (the
 * guest held still between them, and running again after), the markers are overwritten and come
 * back with the restore; a clone is a copy-on-write RBD clone that boots with the marker; deleting
 * the snapshot flattens the clone first (it keeps running and keeps its data), and deleting the
 * machine removes its images with their snapshots, leaving its other snapshot Lost.
 */
class SystemRbdSnapshotIT extends RbdSystemBase {
  private static final String NAME = SystemLeftovers.PREFIX + "rbdsnap";
  private static final String CLONE = SystemLeftovers.PREFIX + "rbdsnapclone";

  @Test
  void aMarkerComesBackWithTheRestoreAndInTheCloneAllInCeph() throws Exception {
    Path guest = TestGuest.build();
    pool();
    DiskSpec data = disk("data", null, "16Mi");
    data.storage = STORAGE;
    DiskSpec more = disk("more", null, "8Mi");
    more.storage = STORAGE;
    KvmMachine m = machine("default", "rbdsnap", guest, data, more);
    m.getSpec().guestAgent = true;
    k8s.create(m);
    KvmMachine up = k8s.awaitMachine(NAME, "Ready", true, "Running", 240);
    String domain = up.getStatus().domainName;
    String dataImage = TestCeph.POOL + "/" + SystemDiskIT.diskStatus(up, "data").volume;
    String moreImage = TestCeph.POOL + "/" + SystemDiskIT.diskStatus(up, "more").volume;
    Path log = Path.of(up.getStatus().serialLogPath);
    within(120).until(() -> Files.exists(log) && Files.readString(log).contains("disk vdb"));
    typeInGuest(
        NAME,
        "printf KVMOPMARKA > /dev/vda; printf KVMOPMOREA > /dev/vdb; sync; echo wrote-$((6*7))",
        "wrote-42");

    long t0 = System.nanoTime();
    KvmMachineSnapshot a =
        client.resource(SystemSnapshotIT.snapshot("rbd-snap-a", NAME, false)).create();
    KvmMachineSnapshot taken = awaitSnapshot("rbd-snap-a", SnapshotPhase.Ready);
    System.out.printf(
        "RBD snapshot of a running guest with two RBD disks: %d ms (frozen: %s, %s)%n",
        (System.nanoTime() - t0) / 1_000_000,
        taken.getStatus().filesystemsFrozen,
        taken.getStatus().filesystemsMessage);
    String snap = "kvmop-" + a.getMetadata().getUid();
    assertThat(taken.getStatus().libvirtName).isEqualTo(snap);
    assertThat(taken.getStatus().disks).allMatch(d -> STORAGE.equals(d.storage)).hasSize(2);
    assertThat(ceph.admin("snap", "ls", dataImage).output()).contains(snap);
    assertThat(ceph.admin("snap", "ls", moreImage).output()).contains(snap);
    assertThat(virsh("snapshot-list", domain, "--name").strip())
        .as("no libvirt snapshot: the RBD images hold it")
        .isEmpty();
    assertThat(virsh("domstate", domain).strip())
        .as("the guest held still for the snapshot runs again")
        .isEqualTo("running");
    assertThat(ceph.admin("image-meta", "list", dataImage).output())
        .as("the note that kvmop held the guest still is gone with the hold")
        .doesNotContain("kvmop.pausedFor");

    typeInGuest(
        NAME,
        "printf KVMOPMARKB > /dev/vda; printf KVMOPMOREB > /dev/vdb; sync; echo wrote-$((6*8))",
        "wrote-48");
    long before = Files.size(log);
    client.resource(SystemSnapshotIT.restore("rbd-restore-a", NAME, "rbd-snap-a")).create();
    assertThat(awaitRestore("rbd-restore-a").getStatus().outcome).isEqualTo("Booted");
    within(120)
        .until(
            () ->
                SystemSnapshotIT.after(log, before).contains("disk vda begins: KVMOPMARKA")
                    && SystemSnapshotIT.after(log, before).contains("disk vdb begins: KVMOPMOREA"));
    assertThat(SystemSnapshotIT.after(log, before)).doesNotContain("KVMOPMARKB");
    k8s.awaitMachine(NAME, "Ready", true, "Running", 60);

    // a clone: a copy-on-write RBD clone of the snapshot, booting with the marker
    DiskSpec cloned = new DiskSpec();
    cloned.name = "data";
    cloned.storage = STORAGE;
    cloned.snapshot = new SnapshotSource();
    cloned.snapshot.name = "rbd-snap-a";
    k8s.create(machine("default", "rbdsnapclone", guest, cloned));
    KvmMachine clone = k8s.awaitMachine(CLONE, "Ready", true, "Running", 240);
    String cloneImage = TestCeph.POOL + "/" + SystemDiskIT.diskStatus(clone, "data").volume;
    assertThat(ceph.admin("info", cloneImage).output())
        .contains("parent: " + dataImage + "@" + snap);
    Path cloneLog = Path.of(clone.getStatus().serialLogPath);
    within(120)
        .until(
            () ->
                Files.exists(cloneLog)
                    && Files.readString(cloneLog, StandardCharsets.ISO_8859_1)
                        .contains("disk vda begins: KVMOPMARKA"));

    // deleting the snapshot flattens the clone, which keeps running with its data
    client
        .resources(KvmMachineSnapshot.class)
        .inNamespace("default")
        .withName("rbd-snap-a")
        .delete();
    within(120)
        .until(
            () ->
                !ceph.admin("snap", "ls", dataImage).output().contains(snap)
                    && !ceph.admin("snap", "ls", moreImage).output().contains(snap));
    assertThat(ceph.admin("info", cloneImage).output()).doesNotContain("parent:");
    assertThat(virsh("domstate", clone.getStatus().domainName).strip()).isEqualTo("running");
    typeInGuest(CLONE, "echo read-$(head -c 10 /dev/vda)", "read-KVMOPMARKA");

    // the machine deleted: its images go with their snapshots, and its snapshot is Lost
    client.resource(SystemSnapshotIT.snapshot("rbd-snap-b", NAME, false)).create();
    awaitSnapshot("rbd-snap-b", SnapshotPhase.Ready);
    k8s.delete(k8s.machine(NAME));
    within(120).until(() -> k8s.machine(NAME) == null);
    assertThat(ceph.admin("ls", TestCeph.POOL).output())
        .doesNotContain(dataImage.substring(TestCeph.POOL.length() + 1))
        .doesNotContain(moreImage.substring(TestCeph.POOL.length() + 1));
    awaitSnapshot("rbd-snap-b", SnapshotPhase.Lost);
    client
        .resources(KvmMachineSnapshot.class)
        .inNamespace("default")
        .withName("rbd-snap-b")
        .delete();
    k8s.delete(k8s.machine(CLONE));
    within(120).until(() -> k8s.machine(CLONE) == null);
    assertThat(ceph.admin("ls", TestCeph.POOL).output())
        .doesNotContain(cloneImage.substring(TestCeph.POOL.length() + 1));
  }

  private KvmMachineSnapshot awaitSnapshot(String name, SnapshotPhase phase) {
    return within(180)
        .until(
            () ->
                client
                    .resources(KvmMachineSnapshot.class)
                    .inNamespace("default")
                    .withName(name)
                    .get(),
            s -> s != null && s.getStatus() != null && phase == s.getStatus().phase);
  }

  private io.kvmop.api.KvmMachineRestore awaitRestore(String name) {
    return within(180)
        .until(
            () ->
                client
                    .resources(io.kvmop.api.KvmMachineRestore.class)
                    .inNamespace("default")
                    .withName(name)
                    .get(),
            r ->
                r != null
                    && r.getStatus() != null
                    && RestorePhase.Succeeded == r.getStatus().phase);
  }

  private void typeInGuest(String machine, String command, String answer) throws Exception {
    io.kvmop.testing.GuestConsole.type(machine, uri, command, answer);
  }
}
