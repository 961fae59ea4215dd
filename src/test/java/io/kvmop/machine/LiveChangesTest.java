package io.kvmop.machine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.CpuSpec;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.libvirt.Operation;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.status.Conditions;
import io.kvmop.testing.FakeLibvirt;
import io.kvmop.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Declared changes to a running machine made live where they can be: memory and vCPUs up to their
 * maximum, disks added and removed; RestartRequired only for the rest, naming it.
 */
class LiveChangesTest {
  @TempDir Path dir;
  FakeLibvirt libvirt = new FakeLibvirt();
  MachineRealizer realizer;
  KvmMachine m = Fixtures.machine("default", "web-1");

  @BeforeEach
  void setUp() {
    realizer = io.kvmop.testing.Realizers.hostA(libvirt, dir);
    m.getSpec().nodeName = "host-a";
    m.getSpec().virtType = io.kvmop.api.VirtType.QEMU;
    m.getSpec().memory = "512Mi";
    m.getSpec().maxMemory = "2Gi";
    m.getSpec().cpu = new CpuSpec();
    m.getSpec().cpu.maxSockets = 4;
    m.getSpec().disks = new ArrayList<>(List.of(disk("data")));
  }

  static DiskSpec disk(String name) {
    DiskSpec d = new DiskSpec();
    d.name = name;
    d.size = "1Gi";
    return d;
  }

  KvmMachineStatus reconcile() {
    KvmMachineStatus s = realizer.realize(m, List.of()).status();
    m.setStatus(s);
    return s;
  }

  DomainXml live() {
    return libvirt.domains().findDomain(realizer.naming(m).domainName()).orElseThrow().live();
  }

  boolean restartRequired(KvmMachineStatus s) {
    return Conditions.isTrue(s.conditions, MachineStatusBuilder.RESTART_REQUIRED);
  }

  @Test
  void memoryVcpusAndDisksChangeOnTheRunningMachine() {
    reconcile();
    assertThat(live().memory().value).isEqualTo(2L << 20);
    assertThat(live().memoryNow().value).isEqualTo(512L << 10);
    assertThat(live().vcpu().now()).isEqualTo(1);
    libvirt.calls.clear();

    m.getSpec().memory = "1536Mi";
    m.getSpec().cpu.sockets = 3;
    m.getSpec().disks.add(disk("logs"));
    KvmMachineStatus s = reconcile();
    assertThat(restartRequired(s)).isFalse();
    assertThat(live().memoryNow().value).isEqualTo(1536L << 10);
    assertThat(live().vcpu().now()).isEqualTo(3);
    assertThat(live().devices().disks()).extracting(d -> d.target().dev()).contains("vdb");
    assertThat(libvirt.calls).noneMatch(c -> c.startsWith("destroy") || c.startsWith("start"));
    assertThat(libvirt.calls).anyMatch(c -> c.startsWith("define domain"));

    libvirt.calls.clear();
    reconcile();
    assertThat(libvirt.calls)
        .as("nothing left to change")
        .noneMatch(
            c -> c.startsWith("set live") || c.startsWith("attach") || c.startsWith("detach"));

    m.getSpec().disks.remove(1);
    m.getSpec().memory = "256Mi";
    m.getSpec().cpu.sockets = 1;
    assertThat(restartRequired(reconcile())).isFalse();
    assertThat(live().devices().disks()).extracting(d -> d.target().dev()).containsExactly("vda");
    assertThat(live().vcpu().now()).isEqualTo(1);
  }

  @Test
  void aCloudInitChangeIsNamedAsSuch() {
    m.getSpec().cloudInit = new io.kvmop.api.CloudInitSpec();
    m.getSpec().cloudInit.userData = "#cloud-config\nhostname: one\n";
    reconcile();
    m.getSpec().cloudInit.userData = "#cloud-config\nhostname: two\n";
    KvmMachineStatus s = reconcile();
    assertThat(restartRequired(s)).isTrue();
    assertThat(
            Conditions.find(s.conditions, MachineStatusBuilder.RESTART_REQUIRED)
                .orElseThrow()
                .getMessage())
        .contains("(spec.cloudInit)");
  }

  @Test
  void whatCannotChangeLiveWaitsForARestartAndSaysWhat() {
    reconcile();
    m.getSpec().maxMemory = "4Gi";
    KvmMachineStatus s = reconcile();
    assertThat(restartRequired(s)).isTrue();
    assertThat(
            Conditions.find(s.conditions, MachineStatusBuilder.RESTART_REQUIRED)
                .orElseThrow()
                .getMessage())
        .as("named by the field that changed, with the command that applies it")
        .contains("(spec.maxMemory)", "kvmop restart web-1");
  }

  @Test
  void aRefusedLiveChangeIsNotRetriedAndTheConditionSaysWhy() {
    reconcile();
    libvirt.fail(
        Operation.SET_LIVE_MEMORY, "VIR_ERR_OPERATION_FAILED", "no balloon driver answered");
    m.getSpec().memory = "1Gi";
    KvmMachineStatus s = reconcile();
    assertThat(restartRequired(s)).isTrue();
    assertThat(
            Conditions.find(s.conditions, MachineStatusBuilder.RESTART_REQUIRED)
                .orElseThrow()
                .getMessage())
        .contains("making it live failed", "no balloon driver answered");
    libvirt.calls.clear();
    assertThat(restartRequired(reconcile())).isTrue();
    assertThat(libvirt.calls).noneMatch(c -> c.startsWith("set live"));
  }

  @Test
  void aMachineWithoutMaximumsKeepsItsDefinitionAsBefore() {
    m.getSpec().maxMemory = null;
    m.getSpec().cpu.maxSockets = null;
    reconcile();
    assertThat(live().currentMemory()).isNull();
    assertThat(live().vcpu().current).isNull();
    m.getSpec().memory = "1Gi";
    assertThat(restartRequired(reconcile())).as("the maximum is the memory: no room").isTrue();
  }
}
