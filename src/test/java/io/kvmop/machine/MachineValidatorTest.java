package io.kvmop.machine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.BootSpec;
import io.kvmop.api.CpuMode;
import io.kvmop.api.CpuSpec;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.MachineInterface;
import io.kvmop.libvirt.HostFacts;
import io.kvmop.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class MachineValidatorTest {
  private KvmMachineSpec spec() {
    return Fixtures.machine("default", "web-1", "lab").getSpec();
  }

  @Test
  void theDefaultsAreValid() {
    assertThat(MachineValidator.validate(spec())).isEmpty();
  }

  @Test
  void fieldsAreNamedWithWhatWouldBeValid() {
    KvmMachineSpec s = spec();
    s.memory = "2GB";
    s.shutdownTimeout = "soon";
    s.boot = new BootSpec();
    s.boot.kernel = "vmlinuz";
    MachineInterface twin = new MachineInterface("eth0", "lab");
    twin.mac = "01:00:5e:00:00:01";
    s.interfaces.add(twin);
    MachineInterface both = new MachineInterface("eth2", "lab");
    both.libvirtNetwork = "default";
    s.interfaces.add(both);
    assertThat(MachineValidator.validate(s))
        .containsExactly(
            "spec.memory '2GB' is not a size of at least 16Mi (a Kubernetes quantity such as 512Mi,"
                + " 1.5Gi or 2G)",
            "spec.boot.kernel: path vmlinuz is not absolute",
            "spec.interfaces[1].name eth0 is used twice",
            "spec.interfaces[1].mac 01:00:5e:00:00:01 is a multicast address; use a unicast one such as 52:54:00:..",
            "spec.interfaces[2] must name exactly one of network (a KvmNetwork) or libvirtNetwork",
            "spec.shutdownTimeout 'soon' is not a duration such as 90s, 2m, 1m30s or 500ms");
  }

  @Test
  void theHostDecidesMemoryAndCpuModels() {
    KvmMachineSpec s = spec();
    s.memory = "64Gi";
    s.cpu = new CpuSpec();
    s.cpu.mode = CpuMode.CUSTOM;
    s.cpu.model = "Skylake-Server";
    HostFacts host = new HostFacts(24L * 1024 * 1024, 2, List.of("qemu64", "Nehalem"));
    KvmMachineSpec wide = spec();
    wide.cpu = new CpuSpec();
    wide.cpu.cores = 4;
    assertThat(MachineValidator.validateOnHost(wide, host, "kvm"))
        .containsExactly(
            "spec.cpu asks for up to 4 vCPUs ((max)sockets x cores x threads), more than the node's 2 CPUs");
    assertThat(MachineValidator.validateOnHost(s, host, "kvm"))
        .containsExactly(
            "spec.memory 64Gi is more than the node has (24Gi)",
            "spec.cpu.model Skylake-Server is not offered by this node; it has: qemu64, Nehalem");
    s.memory = "1Gi";
    s.cpu.model = "Nehalem";
    assertThat(MachineValidator.validateOnHost(s, host, "kvm")).isEmpty();
  }

  @Test
  void hostPassthroughNeedsKvm() {
    KvmMachineSpec s = spec();
    s.cpu = new CpuSpec();
    s.cpu.mode = CpuMode.HOST_PASSTHROUGH;
    HostFacts host = new HostFacts(24L * 1024 * 1024, 2, List.of("qemu64"));
    assertThat(MachineValidator.validateOnHost(s, host, "kvm")).isEmpty();
    assertThat(MachineValidator.validateOnHost(s, host, "qemu"))
        .containsExactly(
            "spec.cpu.mode host-passthrough needs KVM, and this node runs machines under qemu"
                + " (software emulation, see condition KVMAvailable); use cpu.mode host-model,"
                + " custom or none, or a node with usable KVM");
  }

  @Test
  void hostDevicesMustExistAndBePermittedByTheNode() {
    KvmMachineSpec s = spec();
    s.hostDevices.add(new io.kvmop.api.HostDevice("0000:3b:00.0"));
    s.hostDevices.add(new io.kvmop.api.HostDevice("0000:99:00.0"));
    java.util.function.Function<String, java.util.Optional<String[]>> sysfs =
        a ->
            a.equals("0000:3b:00.0")
                ? java.util.Optional.of(new String[] {"10de", "1eb8"})
                : java.util.Optional.empty();
    assertThat(
            MachineValidator.validateHostDevices(
                s, "host-a", List.of(new io.kvmop.api.PciDeviceId("8086", "1572")), sysfs))
        .containsExactly(
            "spec.hostDevices[0] 0000:3b:00.0 (10de:1eb8) is not permitted on node host-a: the cluster admin must add"
                + " {vendorId: 10de, productId: 1eb8} to KvmHost host-a spec.permittedHostDevices (permitted now: 8086:1572)",
            "spec.hostDevices[1] 0000:99:00.0: node host-a has no PCI device at that address (lspci -D lists them)");
    s.hostDevices.remove(1);
    assertThat(
            MachineValidator.validateHostDevices(
                s, "host-a", List.of(new io.kvmop.api.PciDeviceId("10DE", "1EB8")), sysfs))
        .isEmpty();
  }

  @Test
  void maximumsForLiveChangesAreAtLeastTheCurrentValues() {
    KvmMachineSpec s = spec();
    s.memory = "4Gi";
    s.maxMemory = "2Gi";
    s.cpu = new CpuSpec();
    s.cpu.sockets = 4;
    s.cpu.maxSockets = 2;
    assertThat(MachineValidator.validate(s))
        .contains(
            "spec.memory 4Gi is more than spec.maxMemory 2Gi; raise maxMemory (that needs a"
                + " restart) or lower memory",
            "spec.cpu.maxSockets 2 is out of range: use sockets (4) up to 64; raising it needs a"
                + " restart");
    KvmMachineSpec wide = spec();
    wide.cpu = new CpuSpec();
    wide.cpu.cores = 256;
    wide.cpu.maxSockets = 4;
    assertThat(MachineValidator.validate(wide))
        .contains("spec.cpu: maxSockets x cores x threads is 1024 vCPUs; at most 512");
    KvmMachineSpec bad = spec();
    bad.maxMemory = "lots";
    assertThat(MachineValidator.validate(bad))
        .contains("spec.maxMemory 'lots' is not a size (such as 4Gi or 8G)");
  }
}
