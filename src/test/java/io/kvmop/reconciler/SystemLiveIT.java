package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.BootSpec;
import io.kvmop.api.CpuSpec;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.MachineInterface;
import io.kvmop.api.NetworkMode;
import io.kvmop.machine.MachineStatusBuilder;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.SystemLeftovers;
import io.kvmop.testing.TestGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Changes reaching a running real guest with no restart (the same QEMU, by its domain id): memory
 * through the balloon (virsh dominfo), a vCPU hotplugged (virsh vcpucount), a disk and an interface
 * attached and detached (domblklist, domiflist); a change beyond the declared maximum waits for a
 * restart and RestartRequired says so.
 */
class SystemLiveIT extends SystemItBase {
  static final String NAME = SystemLeftovers.PREFIX + "live";
  static final String NET = SystemLeftovers.PREFIX + "livenet";
  static final String DOMAIN = "kvmop-default-" + NAME;

  static DiskSpec disk(String name) {
    DiskSpec d = new DiskSpec();
    d.name = name;
    d.size = "16Mi";
    return d;
  }

  @Test
  void memoryVcpusDisksAndInterfacesChangeWithoutARestart() throws Exception {
    Path guest = TestGuest.build();
    k8s.create(NET, Fixtures.spec(NetworkMode.ISOLATED, "10.251.60.0/24"));
    String network = k8s.awaitReady(NET, true, "Active").getStatus().libvirtName;
    KvmMachine m = Fixtures.machine("default", NAME);
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-a";
    m.getSpec().memory = "128Mi";
    m.getSpec().maxMemory = "256Mi";
    m.getSpec().cpu = new CpuSpec();
    m.getSpec().cpu.maxSockets = 2;
    m.getSpec().shutdownTimeout = "2s";
    m.getSpec().boot = new BootSpec();
    m.getSpec().boot.kernel = guest.resolve("vmlinuz").toString();
    m.getSpec().boot.initrd = guest.resolve("initrd.gz").toString();
    m.getSpec().boot.cmdline = "console=ttyS0";
    m.getSpec().disks = new ArrayList<>(List.of(disk("data")));
    // with a cloud-init seed after the disks: a disk added moves it (read-only, so it may move)
    m.getSpec().cloudInit = new io.kvmop.api.CloudInitSpec();
    m.getSpec().cloudInit.userData = "#cloud-config\n";
    k8s.create(m);
    KvmMachine up = k8s.awaitMachine(NAME, "Ready", true, "Running", 120);
    Path log = Path.of(up.getStatus().serialLogPath);
    within(120).until(() -> Files.exists(log) && Files.readString(log).contains("seed vdb"));
    String id = virsh("domid", DOMAIN).strip();
    assertThat(virsh("vcpucount", DOMAIN, "--live", "--active").strip()).isEqualTo("1");

    KvmMachine more = k8s.machine(NAME);
    more.getSpec().memory = "192Mi";
    more.getSpec().cpu.sockets = 2;
    more.getSpec().disks.add(disk("extra"));
    more.getSpec().interfaces = new ArrayList<>(List.of(new MachineInterface("eth0", NET)));
    long gen = k8s.updateSpec(more).getMetadata().getGeneration();
    within(60)
        .until(
            () -> {
              var c =
                  OperatorHarness.condition(
                      k8s.machine(NAME), MachineStatusBuilder.RESTART_REQUIRED);
              return c.isPresent()
                  && "False".equals(c.get().getStatus())
                  && c.get().getObservedGeneration() == gen;
            });
    within(60).until(() -> virsh("dominfo", DOMAIN).matches("(?s).*Used memory: +196608 KiB.*"));
    assertThat(virsh("vcpucount", DOMAIN, "--live", "--active").strip()).isEqualTo("2");
    assertThat(virsh("domblklist", DOMAIN)).contains("vdb", "vdc", "cidata");
    assertThat(virsh("domiflist", DOMAIN)).contains(network);
    assertThat(virsh("domid", DOMAIN).strip()).as("the same QEMU: no restart").isEqualTo(id);

    KvmMachine less = k8s.machine(NAME);
    less.getSpec().disks.remove(1);
    less.getSpec().interfaces = new ArrayList<>();
    less.getSpec().memory = "160Mi";
    k8s.updateSpec(less);
    within(60).until(() -> !virsh("domblklist", DOMAIN).contains("vdc"));
    assertThat(virsh("domblklist", DOMAIN)).containsPattern("vdb +\\S*cidata");
    within(60).until(() -> !virsh("domiflist", DOMAIN).contains(network));
    within(60).until(() -> virsh("dominfo", DOMAIN).matches("(?s).*Used memory: +163840 KiB.*"));
    assertThat(virsh("domid", DOMAIN).strip()).isEqualTo(id);

    KvmMachine beyond = k8s.machine(NAME);
    beyond.getSpec().maxMemory = "512Mi";
    k8s.updateSpec(beyond);
    KvmMachine pending =
        k8s.awaitMachine(
            NAME, MachineStatusBuilder.RESTART_REQUIRED, true, "DefinitionChanged", 60);
    assertThat(
            OperatorHarness.condition(pending, MachineStatusBuilder.RESTART_REQUIRED)
                .orElseThrow()
                .getMessage())
        .as("named by the one field that changed, nothing libvirt filled in on the running domain")
        .contains("(spec.maxMemory)", "kvmop restart " + NAME);
    assertThat(virsh("domid", DOMAIN).strip()).isEqualTo(id);

    k8s.delete(k8s.machine(NAME));
    within(60).until(() -> k8s.machine(NAME) == null);
  }
}
