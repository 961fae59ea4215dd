package io.kvmop.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each KVM check against fixture host files, as the troubleshooting guides run them by hand. */
class HostChecksTest {
  static final String INTEL = "processor : 0\nflags\t\t: fpu vme de pse tsc msr vmx ept\n";
  static final String NO_VMX = "processor : 0\nflags\t\t: fpu vme de pse tsc msr hypervisor\n";
  static final String MODULES =
      "kvm_intel 413696 0 - Live 0x0\nkvm 1146880 1 kvm_intel, Live 0x0\nvhost_net 36864 0 - Live 0x0\n";
  static final HostSnapshot.DevNode KVM_660 = new HostSnapshot.DevNode(true, "root", "kvm", 0660);
  static final List<String> QEMU_GROUPS = List.of("kvm", "libvirt-qemu");

  static Map<String, HostCheck> byName(List<HostCheck> checks) {
    return checks.stream().collect(Collectors.toMap(HostCheck::name, Function.identity()));
  }

  @Test
  void aProperKvmHostPassesEveryCheckThatDecidesKvm() {
    var checks =
        HostChecks.evaluate(
            new HostSnapshot(INTEL, MODULES, KVM_660, true, "Y\n", QEMU_GROUPS, null));
    assertThat(HostChecks.kvmUsable(checks)).isTrue();
    assertThat(checks).allMatch(HostCheck::passed);
  }

  @Test
  void devKvmAnsweringOnACpuWithoutVmxIsNotEnough() {
    var checks =
        HostChecks.evaluate(
            new HostSnapshot(NO_VMX, MODULES, KVM_660, true, "N", QEMU_GROUPS, null));
    assertThat(HostChecks.kvmUsable(checks)).isFalse();
    HostCheck flags = HostChecks.kvmFailure(checks).orElseThrow();
    assertThat(flags.name()).isEqualTo("cpuVirtualizationFlags");
    assertThat(flags.message()).isEqualTo("no vmx/svm in /proc/cpuinfo");
    assertThat(flags.fix()).contains("enable VT-x/AMD-V in the BIOS", "nested virtualization");
  }

  @Test
  void devKvmWithTheWrongGroupOrModeSaysHowToFixIt() {
    var rootOnly = new HostSnapshot.DevNode(true, "root", "root", 0600);
    HostCheck dev =
        byName(
                HostChecks.evaluate(
                    new HostSnapshot(INTEL, MODULES, rootOnly, true, "Y", QEMU_GROUPS, null)))
            .get("devKvmAccess");
    assertThat(dev.passed()).isFalse();
    assertThat(dev.message()).contains("/dev/kvm is root:root 0600");
    assertThat(dev.fix()).isEqualTo("udevadm trigger, or chgrp kvm /dev/kvm && chmod 660 /dev/kvm");
    HostCheck missing =
        byName(
                HostChecks.evaluate(
                    new HostSnapshot(INTEL, "", null, false, null, QEMU_GROUPS, null)))
            .get("devKvmAccess");
    assertThat(missing.message()).isEqualTo("/dev/kvm does not exist");
  }

  @Test
  void modulesVhostNetNestedAndLibvirtAreEachReported() {
    Map<String, HostCheck> c =
        byName(
            HostChecks.evaluate(
                new HostSnapshot(
                    INTEL,
                    "kvm 1 0 - Live 0x0\n",
                    KVM_660,
                    false,
                    null,
                    QEMU_GROUPS,
                    "VIR_ERR_CONFIG_UNSUPPORTED: unsupported configuration: KVM is not supported")));
    assertThat(c.get("kvmModulesLoaded").passed()).isFalse();
    assertThat(c.get("kvmModulesLoaded").fix()).contains("modprobe kvm_intel");
    assertThat(c.get("vhostNet").passed()).isFalse();
    assertThat(c.get("vhostNet").fix()).isEqualTo("modprobe vhost_net");
    assertThat(c.get("vhostNet").decidesKvm()).isFalse();
    assertThat(c.get("nestedVirtualization").passed()).isFalse();
    assertThat(c.get("libvirtKvmDomainCapabilities").message())
        .contains("virsh domcapabilities --virttype kvm fails", "KVM is not supported");
  }

  @Test
  void hostFilesAreReadFromAnyRoot(@TempDir Path root) throws Exception {
    Files.createDirectories(root.resolve("proc"));
    Files.createDirectories(root.resolve("etc"));
    Files.createDirectories(root.resolve("sys/module/kvm_intel/parameters"));
    Files.writeString(root.resolve("proc/cpuinfo"), INTEL);
    Files.writeString(root.resolve("proc/modules"), MODULES);
    Files.writeString(root.resolve("sys/module/kvm_intel/parameters/nested"), "Y\n");
    Files.writeString(
        root.resolve("etc/group"),
        "root:x:0:\nkvm:x:107:libvirt-qemu\nlibvirt-qemu:x:64055:libvirt-qemu\n");
    HostSnapshot s = new HostFiles(root, "libvirt-qemu").read();
    assertThat(s.cpuinfo()).isEqualTo(INTEL);
    assertThat(s.qemuUserGroups()).containsExactly("kvm", "libvirt-qemu");
    assertThat(s.nested()).isEqualTo("Y\n");
    assertThat(s.devKvm()).isNull();
    assertThat(s.vhostNet()).isFalse();
    Files.createDirectories(root.resolve("dev"));
    Files.writeString(root.resolve("dev/kvm"), "");
    assertThat(new HostFiles(root, "libvirt-qemu").read().devKvm().characterDevice()).isFalse();
  }
}
