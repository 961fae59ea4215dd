package io.kvmop.reconciler;

import static io.kvmop.testing.Fixtures.disk;
import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.Shell;
import io.kvmop.testing.SystemLeftovers;
import io.kvmop.testing.TestCeph;
import io.kvmop.testing.TestGuest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ceph in trouble, against the real Ceph, libvirtd and QEMU: a cluster that does not answer when a
 * machine is made, when the agent starts and while a running machine's disk grows; a pool gone
 * full. Each is said on the machine with what to check, nothing defined or lost, the running guest
 * untouched, the agent goes on with machines on the node's pool, and all comes right once Ceph is.
 */
class SystemCephTroubleIT extends RbdSystemBase {
  private static final String RUNNING = SystemLeftovers.PREFIX + "cephup";
  private static final String LATE = SystemLeftovers.PREFIX + "cephlate";
  private static final String LOCAL = SystemLeftovers.PREFIX + "cephlocal";
  private static final String FULL = SystemLeftovers.PREFIX + "cephfull";

  @Test
  void aCephThatDoesNotAnswerIsSaidAndTheAgentGoesOnUntilItIsBack() throws Exception {
    Path guest = TestGuest.build();
    pool();
    DiskSpec data = disk("data", null, "16Mi");
    data.storage = STORAGE;
    k8s.create(machine("default", "cephup", guest, data));
    KvmMachine up = k8s.awaitMachine(RUNNING, "Ready", true, "Running", 240);
    String domain = up.getStatus().domainName;
    String id = virsh("domid", domain).strip();
    try {
      ceph.monitorAnswers(false);
      // the agent starts while Ceph does not answer
      k8s.close();
      k8s = startOperator();
      assertThat(k8s.operator().liveness()).isNull();

      DiskSpec lateData = disk("data", null, "16Mi");
      lateData.storage = STORAGE;
      k8s.create(machine("default", "cephlate", guest, lateData));
      k8s.create(machine("default", "cephlocal", guest, disk("data", null, "16Mi")));
      KvmMachine refused = awaitReason(LATE, "StorageUnavailable", 120);
      String message = OperatorHarness.condition(refused, "Provisioned").orElseThrow().getMessage();
      System.out.println("Ceph not answering: " + message);
      assertThat(message)
          .contains("KvmStoragePool " + STORAGE, TestCeph.POOL, "every 10 s")
          .doesNotContain(ceph.key());
      assertThat(Shell.run("virsh", "--connect=" + uri, "dominfo", "kvmop-default-" + LATE).ok())
          .as("nothing defined")
          .isFalse();
      k8s.awaitMachine(LOCAL, "Ready", true, "Running", 240); // the agent goes on with others

      // a pass of the running machine that needs Ceph: said, the guest left running
      KvmMachine grow = k8s.machine(RUNNING);
      grow.getSpec().disks.get(0).size = "32Mi";
      k8s.updateSpec(grow);
      awaitReason(RUNNING, "StorageUnavailable", 120);
      assertThat(virsh("domstate", domain).strip()).isEqualTo("running");
      assertThat(k8s.operator().liveness()).isNull();
    } finally {
      ceph.monitorAnswers(true);
    }
    k8s.awaitMachine(LATE, "Ready", true, "Running", 240);
    within(120)
        .until(
            () ->
                virsh("domblkinfo", domain, "vda")
                    .matches("(?s).*Capacity:\\s+" + (32L << 20) + "\\b.*"));
    assertThat(virsh("domid", domain).strip()).as("the same QEMU throughout").isEqualTo(id);
    for (String n : new String[] {RUNNING, LATE, LOCAL}) {
      k8s.delete(k8s.machine(n));
    }
    within(120).until(() -> k8s.machine(RUNNING) == null && k8s.machine(LATE) == null);
  }

  @Test
  void aFullPoolIsSaidAtOnceNothingIsWrittenAndTheMachineIsMadeWhenThereIsRoom() throws Exception {
    Path guest = TestGuest.build();
    pool();
    try {
      assertThat(ceph.cephAdmin("osd", "pool", "set-quota", TestCeph.POOL, "max_objects", "1").ok())
          .isTrue();
      within(60)
          .until(
              () ->
                  ceph.cephAdmin("osd", "pool", "ls", "detail")
                      .output()
                      .matches("(?s).*'" + TestCeph.POOL + "'[^\\n]*full_quota.*"));
      DiskSpec data = disk("data", null, "16Mi");
      data.storage = STORAGE;
      long t0 = System.nanoTime();
      k8s.create(machine("default", "cephfull", guest, data));
      KvmMachine refused = awaitReason(FULL, "StorageFull", 120);
      System.out.printf(
          "a full pool said in %d ms: %s%n",
          (System.nanoTime() - t0) / 1_000_000,
          OperatorHarness.condition(refused, "Provisioned").orElseThrow().getMessage());
      assertThat(OperatorHarness.condition(refused, "Provisioned").orElseThrow().getMessage())
          .contains("quota", "ceph osd pool set-quota " + TestCeph.POOL, "nothing was written");
      assertThat(ceph.admin("ls", TestCeph.POOL).output()).doesNotContain("kvmop-default-" + FULL);
      assertThat(Shell.run("virsh", "--connect=" + uri, "dominfo", "kvmop-default-" + FULL).ok())
          .isFalse();
    } finally {
      ceph.cephAdmin("osd", "pool", "set-quota", TestCeph.POOL, "max_objects", "0");
    }
    KvmMachine made = k8s.awaitMachine(FULL, "Ready", true, "Running", 240);
    String image = SystemDiskIT.diskStatus(made, "data").volume;

    // its only disk on the pool leaves spec for one in the node's pool: the image is kept, said
    KvmMachine moved = k8s.machine(FULL);
    moved.getSpec().disks = new java.util.ArrayList<>(List.of(disk("local", null, "16Mi")));
    k8s.updateSpec(moved);
    within(60)
        .until(
            () ->
                client.v1().events().inNamespace("default").list().getItems().stream()
                    .anyMatch(
                        e ->
                            "VolumeKept".equals(e.getReason())
                                && e.getMessage().contains(image)
                                && e.getMessage().contains("rbd rm " + TestCeph.POOL + "/")));
    assertThat(ceph.admin("ls", TestCeph.POOL).output()).contains(image);
    k8s.delete(k8s.machine(FULL));
    within(120).until(() -> k8s.machine(FULL) == null);
  }

  private KvmMachine awaitReason(String name, String reason, int seconds) {
    return within(seconds)
        .until(
            () -> k8s.machine(name),
            m ->
                m != null
                    && OperatorHarness.condition(m, "Provisioned")
                        .map(c -> reason.equals(c.getReason()))
                        .orElse(false));
  }
}
