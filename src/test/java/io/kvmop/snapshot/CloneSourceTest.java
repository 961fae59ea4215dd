package io.kvmop.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.SnapshotPhase;
import io.kvmop.api.SnapshotSource;
import io.kvmop.machine.MachineRealizer;
import io.kvmop.status.Conditions;
import io.kvmop.status.Reasons;
import io.kvmop.testing.FakeLibvirt;
import io.kvmop.testing.Fixtures;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a clone's disk may come from: only a Ready snapshot of its own namespace, on its node, that
 * libvirt really holds on a domain of kvmop's for that snapshot's machine. A status written by
 * someone else never points a clone at another tenant's disk.
 */
class CloneSourceTest {
  @TempDir Path dir;
  FakeLibvirt libvirt = new FakeLibvirt();
  MachineRealizer machines;
  SnapshotKeeper keeper;
  Map<String, KvmMachineSnapshot> snapshots = new HashMap<>();

  @BeforeEach
  void setUp() {
    var config =
        new io.kvmop.disk.StorageConfig(
            "kvmop", dir.resolve("pool").toString(), Path.of("/"), java.time.Duration.ofHours(1));
    var core =
        io.kvmop.node.NodeCore.on("host-a", libvirt)
            .hostNetwork(new io.kvmop.testing.FakeHostNetwork())
            .kvm(Optional::empty)
            .storage(config)
            .serialLogDir(dir.toString())
            .snapshots((ns, name) -> Optional.ofNullable(snapshots.get(ns + "/" + name)))
            .build();
    machines = core.machines();
    keeper = core.snapshots();
  }

  KvmMachine machine(String ns, String name, String uid, DiskSpec disk) {
    KvmMachine m = Fixtures.machine(ns, name);
    m.getMetadata().setUid(uid);
    m.getSpec().nodeName = "host-a";
    m.getSpec().memory = "256Mi";
    m.getSpec().virtType = io.kvmop.api.VirtType.QEMU;
    m.getSpec().disks = List.of(disk);
    return m;
  }

  static DiskSpec blank() {
    DiskSpec d = new DiskSpec();
    d.name = "data";
    d.size = "1Gi";
    return d;
  }

  static DiskSpec clone(String snapshot, String disk) {
    DiskSpec d = new DiskSpec();
    d.name = "data";
    d.snapshot = new SnapshotSource();
    d.snapshot.name = snapshot;
    d.snapshot.disk = disk;
    return d;
  }

  /** A machine of team-b with a Ready snapshot "gold", as its agent took it. */
  KvmMachineSnapshot teamBSnapshot() {
    KvmMachine b = machine("team-b", "db", "bbbbbbbb-0000-4000-8000-000000000001", blank());
    b.setStatus(machines.realize(b, List.of()).status());
    KvmMachineSnapshot s = new KvmMachineSnapshot();
    s.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("team-b")
            .withName("gold")
            .withUid("5a0b0000-0000-4000-8000-0000000000b1")
            .withGeneration(1L)
            .build());
    s.setSpec(new io.kvmop.api.KvmMachineSnapshotSpec());
    s.getSpec().machine = "db";
    s.setStatus(keeper.keep(s, b).status());
    assertThat(s.getStatus().phase).isEqualTo(SnapshotPhase.Ready);
    snapshots.put("team-b/gold", s);
    return s;
  }

  io.fabric8.kubernetes.api.model.Condition readyOf(KvmMachine m) {
    var st = machines.realize(m, List.of()).status();
    return Conditions.find(st.conditions, "Ready").orElseThrow();
  }

  @Test
  void aForgedStatusPointingAtAnotherNamespacesDomainIsRefused() {
    KvmMachineSnapshot real = teamBSnapshot();
    // team-a writes a snapshot whose status claims team-b's domain and machine
    KvmMachineSnapshot forged = new KvmMachineSnapshot();
    forged.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("team-a")
            .withName("stolen")
            .withUid("5a0b0000-0000-4000-8000-0000000000a1")
            .build());
    forged.setSpec(new io.kvmop.api.KvmMachineSnapshotSpec());
    forged.getSpec().machine = "db";
    forged.setStatus(real.getStatus());
    snapshots.put("team-a/stolen", forged);
    var ready =
        readyOf(
            machine(
                "team-a", "thief", "aaaaaaaa-0000-4000-8000-000000000001", clone("stolen", null)));
    assertThat(ready.getReason()).isEqualTo(Reasons.SNAPSHOT_LOST);
    assertThat(libvirt.storage.volumes("kvmop").keySet()).noneMatch(v -> v.contains("thief"));
    // and a snapshot of another namespace is never found by name
    var other =
        readyOf(
            machine(
                "team-a", "thief2", "aaaaaaaa-0000-4000-8000-000000000002", clone("gold", null)));
    assertThat(other.getReason()).isEqualTo(Reasons.SNAPSHOT_NOT_FOUND);
    assertThat(other.getMessage()).contains("no KvmMachineSnapshot gold in namespace team-a");
  }

  @Test
  void aSnapshotElsewhereNotReadyOrWithoutTheDiskSaysSoAndCreatesNoVolume() {
    KvmMachineSnapshot real = teamBSnapshot();
    String uid = "bbbbbbbb-0000-4000-8000-000000000009";
    assertThat(readyOf(machine("team-b", "c1", uid, clone("gold", "root"))).getMessage())
        .contains(".snapshot.disk", "holds no disk root", "it holds data");
    real.getStatus().nodeName = "host-b";
    var elsewhere = readyOf(machine("team-b", "c1", uid, clone("gold", null)));
    assertThat(elsewhere.getReason()).isEqualTo(Reasons.SNAPSHOT_ON_OTHER_NODE);
    assertThat(elsewhere.getMessage()).contains("spec.nodeName to host-b");
    real.getStatus().nodeName = "host-a";
    real.getStatus().phase = SnapshotPhase.Pending;
    assertThat(readyOf(machine("team-b", "c1", uid, clone("gold", null))).getReason())
        .isEqualTo(Reasons.SNAPSHOT_NOT_READY);
    assertThat(libvirt.storage.volumes("kvmop").keySet()).noneMatch(v -> v.contains("-c1-"));
  }

  @Test
  void aGoodSourceIsCopiedWithQemuImgFromTheSnapshotsVolume() {
    teamBSnapshot();
    var ready =
        readyOf(
            machine("team-b", "c1", "bbbbbbbb-0000-4000-8000-000000000009", clone("gold", null)));
    // the in-memory pool has no files: qemu-img is asked for the right snapshot and fails on it
    assertThat(ready.getMessage())
        .contains("cannot clone disk data from snapshot gold", "qemu-img");
  }
}
