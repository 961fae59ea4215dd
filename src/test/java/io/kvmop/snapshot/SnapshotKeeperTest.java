package io.kvmop.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineRestore;
import io.kvmop.api.KvmMachineRestoreSpec;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmMachineSnapshotSpec;
import io.kvmop.api.RestorePhase;
import io.kvmop.api.RunStrategy;
import io.kvmop.api.SnapshotPhase;
import io.kvmop.libvirt.DomainState.RunState;
import io.kvmop.libvirt.Operation;
import io.kvmop.machine.MachineRealizer;
import io.kvmop.machine.NetworkBinding;
import io.kvmop.status.Conditions;
import io.kvmop.status.Reasons;
import io.kvmop.testing.FakeLibvirt;
import io.kvmop.testing.Fixtures;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots and restores against an in-memory libvirt: what is taken, when, and what is refused.
 */
class SnapshotKeeperTest {
  @TempDir Path dir;
  FakeLibvirt libvirt = new FakeLibvirt();
  MachineRealizer machines;
  SnapshotKeeper keeper;
  Restorer restorer;
  KvmMachine m = Fixtures.machine("default", "web-1");
  List<NetworkBinding> none = List.of();

  @BeforeEach
  void setUp() {
    machines = io.kvmop.testing.Realizers.hostA(libvirt, dir);
    keeper = new SnapshotKeeper("host-a", libvirt, machines, Clock.systemUTC());
    restorer = new Restorer("host-a", libvirt, machines, Clock.systemUTC());
    m.getSpec().nodeName = "host-a";
    m.getSpec().memory = "512Mi";
    m.getSpec().virtType = io.kvmop.api.VirtType.QEMU;
  }

  String domain() {
    return machines.naming(m).domainName();
  }

  void realize() {
    m.setStatus(machines.realize(m, none).status());
  }

  static KvmMachineSnapshot snapshot(String name, boolean memory) {
    KvmMachineSnapshot s = new KvmMachineSnapshot();
    s.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("default")
            .withName(name)
            .withUid("5a0b0000-0000-4000-8000-00000000000" + name.length())
            .withGeneration(1L)
            .build());
    s.setSpec(new KvmMachineSnapshotSpec());
    s.getSpec().machine = "web-1";
    s.getSpec().memory = memory;
    return s;
  }

  KvmMachineSnapshot take(KvmMachineSnapshot s) {
    s.setStatus(keeper.keep(s, m).status());
    return s;
  }

  @Test
  void aRunningMachineIsSnapshottedWithItsFilesystemsFrozenAndThawed() {
    realize();
    assertThat(libvirt.domains().findDomain(domain()).orElseThrow().running()).isTrue();
    var s = take(snapshot("snap-a", false));
    assertThat(s.getStatus().phase).isEqualTo(SnapshotPhase.Ready);
    assertThat(s.getStatus().filesystemsFrozen).isTrue();
    assertThat(libvirt.snapshots.frozen).as("thawed again").isZero();
    assertThat(s.getStatus().memory).as("not asked for").isFalse();
    assertThat(s.getStatus().machineState).isEqualTo("Running");
    assertThat(s.getStatus().libvirtName).isEqualTo(SnapshotKeeper.libvirtName(s));
    assertThat(libvirt.snapshots.listSnapshots(domain())).hasSize(1);
    // a taken snapshot is only checked afterwards: no second libvirt snapshot, no second freeze
    libvirt.calls.clear();
    assertThat(take(s).getStatus().phase).isEqualTo(SnapshotPhase.Ready);
    assertThat(libvirt.calls).noneMatch(c -> c.startsWith("create snapshot"));
    assertThat(libvirt.calls).noneMatch(c -> c.startsWith("freeze"));
  }

  @Test
  void withoutAnAgentTheSnapshotIsTakenAndTheStatusSaysTheFilesystemsWereNotFrozen() {
    realize();
    libvirt.snapshots.agent = false;
    var s = take(snapshot("snap-a", false));
    assertThat(s.getStatus().phase).isEqualTo(SnapshotPhase.Ready);
    assertThat(s.getStatus().filesystemsFrozen).isFalse();
    assertThat(s.getStatus().filesystemsMessage).contains("VIR_ERR_AGENT_UNRESPONSIVE");
  }

  @Test
  void withMemoryNothingIsFrozenAndTheMemoryIsKept() {
    realize();
    var s = take(snapshot("snap-m", true));
    assertThat(s.getStatus().memory).isTrue();
    assertThat(s.getStatus().filesystemsFrozen).isFalse();
    assertThat(libvirt.calls).noneMatch(c -> c.startsWith("freeze"));
  }

  @Test
  void aRawDiskIsRefusedBeforeAnythingIsTouched() {
    DiskSpec raw = new DiskSpec();
    raw.name = "scratch";
    raw.size = "1Gi";
    raw.format = "raw";
    m.getSpec().disks = List.of(raw);
    libvirt.calls.clear();
    var s = take(snapshot("snap-a", false));
    assertThat(s.getStatus().phase).isEqualTo(SnapshotPhase.Failed);
    var ready = Conditions.find(s.getStatus().conditions, "Ready").orElseThrow();
    assertThat(ready.getReason()).isEqualTo(Reasons.SNAPSHOT_UNSUPPORTED);
    assertThat(ready.getMessage()).contains("spec.disks[0] (scratch)", "raw", "qcow2");
    assertThat(Conditions.isTrue(s.getStatus().conditions, "Stalled")).isTrue();
    assertThat(libvirt.calls).isEmpty();
  }

  @Test
  void aMachineWithDisksOnRbdAndInTheNodesPoolIsRefusedBeforeAnythingIsTouched() {
    DiskSpec root = new DiskSpec();
    root.name = "root";
    root.size = "1Gi";
    root.storage = "ceph";
    DiskSpec local = new DiskSpec();
    local.name = "scratch";
    local.size = "1Gi";
    m.getSpec().disks = List.of(root, local);
    m.setStatus(new io.kvmop.api.KvmMachineStatus());
    io.kvmop.api.DiskStatus made = new io.kvmop.api.DiskStatus();
    made.name = "root";
    made.storage = "ceph";
    made.path = "rbd:vms/kvmop-default-web-1-root-12345678";
    m.getStatus().disks = List.of(made);
    libvirt.calls.clear();
    var s = take(snapshot("snap-a", false));
    assertThat(s.getStatus().phase).isEqualTo(SnapshotPhase.Failed);
    var ready = Conditions.find(s.getStatus().conditions, "Ready").orElseThrow();
    assertThat(ready.getReason()).isEqualTo(Reasons.SNAPSHOT_UNSUPPORTED);
    assertThat(ready.getMessage()).contains("rbd pools (root)", "node's pool (scratch)");
    assertThat(libvirt.calls).isEmpty();

    m.getSpec().disks = List.of(root);
    var withMemory = take(snapshot("snap-m", true));
    assertThat(withMemory.getStatus().phase).isEqualTo(SnapshotPhase.Failed);
    assertThat(
            Conditions.find(withMemory.getStatus().conditions, "Ready").orElseThrow().getMessage())
        .contains("spec.memory", "RBD snapshot holds the disks only");
    assertThat(libvirt.calls).isEmpty();
  }

  @Test
  void aRunningUefiMachineIsSnapshottedOnceStopped() {
    m.getSpec().firmware = "uefi";
    realize();
    var s = take(snapshot("snap-a", false));
    assertThat(s.getStatus().phase).isEqualTo(SnapshotPhase.Pending);
    assertThat(Conditions.find(s.getStatus().conditions, "Ready").orElseThrow().getReason())
        .isEqualTo(Reasons.WAITING_FOR_STOP);
    libvirt.domains().destroyDomain(domain());
    assertThat(take(s).getStatus().phase).isEqualTo(SnapshotPhase.Ready);
    assertThat(s.getStatus().machineState).isEqualTo("Stopped");
  }

  @Test
  void whatLibvirtNeverDoesFailsTheSnapshotAndWhatItCannotDoNowIsTriedAgain() {
    realize();
    libvirt.fail(
        Operation.CREATE_SNAPSHOT,
        "VIR_ERR_OPERATION_UNSUPPORTED",
        "internal snapshots of a VM with pflash based firmware are not supported");
    var s = take(snapshot("snap-a", false));
    assertThat(s.getStatus().phase).isEqualTo(SnapshotPhase.Failed);
    assertThat(s.getStatus().conditions.get(0).getMessage()).contains("pflash");
    assertThat(libvirt.snapshots.frozen).as("thawed after the failure").isZero();
    libvirt.fail(
        Operation.CREATE_SNAPSHOT, "VIR_ERR_OPERATION_TIMEOUT", "cannot acquire state change lock");
    var t = take(snapshot("snap-b", false));
    assertThat(t.getStatus().phase).isEqualTo(SnapshotPhase.Pending);
    assertThat(take(t).getStatus().phase).isEqualTo(SnapshotPhase.Ready);
  }

  @Test
  void aMissingMachineIsWaitedForAndAGoneOneLeavesItsSnapshotLost() {
    var s = snapshot("snap-a", false);
    s.setStatus(keeper.keep(s, null).status());
    assertThat(s.getStatus().phase).isEqualTo(SnapshotPhase.Pending);
    realize();
    take(s);
    libvirt.domains().destroyDomain(domain());
    libvirt.domains().undefineDomain(domain());
    assertThat(take(s).getStatus().phase).isEqualTo(SnapshotPhase.Lost);
    assertThat(keeper.release(s)).as("nothing of another's is touched").isEmpty();
  }

  @Test
  void aSnapshotOfADomainThatIsNotOursIsNeverDeleted() {
    realize();
    var s = take(snapshot("snap-a", false));
    s.getStatus().machineUid = "someone-else";
    assertThat(keeper.release(s)).isEmpty();
    assertThat(libvirt.snapshots.listSnapshots(domain())).hasSize(1);
    s.getStatus().machineUid = m.getMetadata().getUid();
    assertThat(keeper.release(s)).hasSize(1);
    assertThat(libvirt.snapshots.listSnapshots(domain())).isEmpty();
  }

  static KvmMachineRestore restore(String snapshot) {
    KvmMachineRestore r = new KvmMachineRestore();
    r.setMetadata(
        new ObjectMetaBuilder().withNamespace("default").withName("r").withGeneration(1L).build());
    r.setSpec(new KvmMachineRestoreSpec());
    r.getSpec().machine = "web-1";
    r.getSpec().snapshot = snapshot;
    return r;
  }

  @Test
  void aRestoreWithoutMemoryStopsRevertsAndBootsOnce() {
    realize();
    var s = take(snapshot("snap-a", false));
    var r = restore("snap-a");
    libvirt.calls.clear();
    var o = restorer.restore(r, m, s);
    assertThat(o.status().phase).isEqualTo(RestorePhase.Succeeded);
    assertThat(o.status().outcome).isEqualTo("Booted");
    assertThat(libvirt.calls)
        .containsSubsequence(
            "destroy domain " + domain(),
            "revert domain " + domain(),
            "destroy domain " + domain(),
            "start domain " + domain());
    r.setStatus(o.status());
    libvirt.calls.clear();
    assertThat(restorer.restore(r, m, s).status().phase).isEqualTo(RestorePhase.Succeeded);
    assertThat(libvirt.calls).as("done once").isEmpty();
  }

  @Test
  void aRestoreWithMemoryResumesAndAHaltedMachineStaysStopped() {
    realize();
    var s = take(snapshot("snap-m", true));
    assertThat(restorer.restore(restore("snap-m"), m, s).status().outcome).isEqualTo("Resumed");
    assertThat(libvirt.domains().findDomain(domain()).orElseThrow().state())
        .isEqualTo(RunState.RUNNING);
    m.getSpec().runStrategy = RunStrategy.Halted;
    assertThat(restorer.restore(restore("snap-m"), m, s).status().outcome).isEqualTo("Stopped");
    assertThat(libvirt.domains().findDomain(domain()).orElseThrow().state())
        .isEqualTo(RunState.SHUTOFF);
  }

  @Test
  void aRestoreOfAnotherMachinesOrAnEarlierMachinesSnapshotFailsAndChangesNothing() {
    realize();
    var s = take(snapshot("snap-a", false));
    s.getSpec().machine = "web-2";
    libvirt.calls.clear();
    var o = restorer.restore(restore("snap-a"), m, s);
    assertThat(o.status().phase).isEqualTo(RestorePhase.Failed);
    assertThat(o.status().conditions.get(0).getMessage()).contains("machine web-2", "not of web-1");
    s.getSpec().machine = "web-1";
    s.getStatus().machineUid = "an-earlier-web-1";
    o = restorer.restore(restore("snap-a"), m, s);
    assertThat(o.status().phase).isEqualTo(RestorePhase.Failed);
    assertThat(o.status().conditions.get(0).getReason()).isEqualTo(Reasons.SNAPSHOT_LOST);
    assertThat(libvirt.calls).isEmpty();
    assertThat(libvirt.domains().findDomain(domain()).orElseThrow().running()).isTrue();
  }
}
