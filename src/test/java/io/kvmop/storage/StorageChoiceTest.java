package io.kvmop.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kvmop.api.CephKeyRef;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.DiskStatus;
import io.kvmop.api.KvmStoragePool;
import io.kvmop.api.KvmStoragePoolSpec;
import io.kvmop.api.RbdPoolSpec;
import io.kvmop.api.SnapshotSource;
import io.kvmop.status.Reasons;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which pool a disk lands in, and what is refused before anything is made. */
class StorageChoiceTest {
  private static final String FIELD = "spec.disks[0] (root)";

  static KvmStoragePool rbd(String name, boolean isDefault, String... namespaces) {
    KvmStoragePool p = new KvmStoragePool();
    p.setMetadata(new ObjectMetaBuilder().withName(name).withUid("uid-" + name).build());
    KvmStoragePoolSpec s = new KvmStoragePoolSpec();
    s.type = "rbd";
    s.isDefault = isDefault;
    s.namespaces = List.of(namespaces);
    s.rbd = new RbdPoolSpec();
    s.rbd.monitors = List.of("127.0.0.1:6789");
    s.rbd.pool = "vms";
    s.rbd.secretRef = new CephKeyRef("ceph-key", "key");
    p.setSpec(s);
    return p;
  }

  static KvmStoragePool directory(String name) {
    KvmStoragePool p = rbd(name, false);
    p.getSpec().type = "directory";
    p.getSpec().rbd = null;
    return p;
  }

  private static DiskSpec disk(String storage) {
    DiskSpec d = new DiskSpec();
    d.name = "root";
    d.size = "1Gi";
    d.storage = storage;
    return d;
  }

  private static Optional<DiskStatus> made(String storage) {
    DiskStatus s = new DiskStatus();
    s.name = "root";
    s.volume = "kvmop-default-web-root";
    s.capacityBytes = 1L << 30;
    s.storage = storage;
    return Optional.of(s);
  }

  private static StorageChoice.Choice choose(
      String ns, DiskSpec d, List<KvmStoragePool> pools, Optional<DiskStatus> before) {
    return StorageChoice.choose(ns, d, FIELD, pools, before);
  }

  @Test
  void aNamedPoolTheNamespaceMayUseIsChosen() {
    var c = choose("team-a", disk("ceph"), List.of(rbd("ceph", false, "team-a")), Optional.empty());
    assertThat(c.blocker()).isNull();
    assertThat(c.where().rbd()).isTrue();
    assertThat(c.where().name()).isEqualTo("ceph");
  }

  @Test
  void aPoolOfferedToOtherNamespacesIsRefusedNamingTheFieldAndWhatMayBeUsed() {
    var pools = List.of(rbd("ceph", false, "team-a"), rbd("shared", false));
    var c = choose("team-b", disk("ceph"), pools, Optional.empty());
    assertThat(c.where()).isNull();
    assertThat(c.blocker().reason()).isEqualTo(Reasons.STORAGE_NOT_ALLOWED);
    assertThat(c.blocker().message())
        .contains("spec.disks[0] (root).storage", "'ceph'", "team-b", "shared")
        .doesNotContain("team-a");
  }

  @Test
  void aPoolThatDoesNotExistIsRefused() {
    var c = choose("default", disk("nope"), List.of(), Optional.empty());
    assertThat(c.blocker().reason()).isEqualTo(Reasons.STORAGE_NOT_FOUND);
    assertThat(c.blocker().message()).contains("no KvmStoragePool 'nope'", "directory pool");
  }

  @Test
  void noStorageTakesTheFirstDefaultTheNamespaceMayUseElseTheNodesDirectory() {
    var pools = List.of(rbd("zeta", true), rbd("alpha", true, "other"), rbd("beta", true));
    assertThat(choose("default", disk(null), pools, Optional.empty()).where().name())
        .isEqualTo("beta");
    assertThat(choose("other", disk(null), pools, Optional.empty()).where().name())
        .isEqualTo("alpha");
    assertThat(choose("default", disk(null), List.of(rbd("x", false)), Optional.empty()).where())
        .isEqualTo(StorageChoice.Where.NODE);
  }

  @Test
  void aDefaultAddedLaterNeverMovesADiskThatWasAlreadyMade() {
    var pools = List.of(rbd("ceph", true));
    var onNode = choose("default", disk(null), pools, made(null));
    assertThat(onNode.blocker()).isNull();
    assertThat(onNode.where()).isEqualTo(StorageChoice.Where.NODE);
    var onRbd =
        choose("default", disk(null), List.of(rbd("old", false), rbd("ceph", true)), made("old"));
    assertThat(onRbd.where().name()).isEqualTo("old");
  }

  @Test
  void namingAnotherPoolForAMadeDiskIsRefusedAndNothingMoves() {
    var pools = List.of(rbd("ceph", false), rbd("other", false));
    var c = choose("default", disk("other"), pools, made("ceph"));
    assertThat(c.blocker().reason()).isEqualTo(Reasons.DISK_CHANGE_REFUSED);
    assertThat(c.blocker().message()).contains("KvmStoragePool ceph", "Set storage back to ceph");
    var toRbd = choose("default", disk("ceph"), pools, made(null));
    assertThat(toRbd.blocker().reason()).isEqualTo(Reasons.DISK_CHANGE_REFUSED);
  }

  @Test
  void aDirectoryPoolIsTheNodesOwnPlace() {
    var pools = List.of(directory("local"));
    assertThat(choose("default", disk("local"), pools, made(null)).blocker()).isNull();
    assertThat(choose("default", disk("local"), pools, Optional.empty()).where().rbd()).isFalse();
  }

  @Test
  void rbdRefusesQcow2AndTakesSnapshotClones() {
    var pools = List.of(rbd("ceph", false));
    DiskSpec q = disk("ceph");
    q.format = "qcow2";
    assertThat(choose("default", q, pools, Optional.empty()).blocker().message())
        .contains(".format", "raw");
    DiskSpec s = disk("ceph");
    s.snapshot = new SnapshotSource();
    var clone = choose("default", s, pools, Optional.empty());
    assertThat(clone.blocker()).as("an RBD clone of an RBD snapshot").isNull();
    assertThat(clone.where().rbd()).isTrue();
  }

  @Test
  void anRbdPoolWithoutItsSettingsIsUnavailable() {
    KvmStoragePool p = rbd("ceph", false);
    p.getSpec().rbd = null;
    assertThat(choose("default", disk("ceph"), List.of(p), Optional.empty()).blocker().reason())
        .isEqualTo(Reasons.STORAGE_UNAVAILABLE);
  }

  @Test
  void aPoolTheAgentCannotReadIsRefusedAsUnavailableNamingWhatItCouldNotRead() {
    KvmStoragePool p = rbd("ceph", false);
    io.kvmop.api.Unreadable.record(
        p, List.of("spec.rbd.pool: 42 (this kvmop agent cannot read it)"));
    var c = choose("team-a", disk("ceph"), List.of(p), Optional.empty());
    assertThat(c.where()).isNull();
    assertThat(c.blocker().reason()).isEqualTo(Reasons.STORAGE_UNAVAILABLE);
    assertThat(c.blocker().message())
        .contains("spec.disks[0] (root).storage")
        .contains("'ceph' cannot be read")
        .contains("spec.rbd.pool: 42");
  }

  @Test
  void anUnreadableDefaultRefusesANewDiskRatherThanPuttingItElsewhere() {
    KvmStoragePool p = rbd("ceph", true);
    io.kvmop.api.Unreadable.record(p, List.of("spec.type: 7 (this kvmop agent cannot read it)"));
    var c = choose("team-a", disk(null), List.of(p), Optional.empty());
    assertThat(c.blocker().reason()).isEqualTo(Reasons.STORAGE_UNAVAILABLE);
  }

  @Test
  void aDefaultWithoutItsRbdPartIsRefusedAsUnavailable() {
    KvmStoragePool p = rbd("ceph", true);
    p.getSpec().rbd = null;
    var c = choose("team-a", disk(null), List.of(p), Optional.empty());
    assertThat(c.blocker().reason()).isEqualTo(Reasons.STORAGE_UNAVAILABLE);
    assertThat(c.blocker().message()).contains("has no spec.rbd");
  }
}
