package io.kvmop.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The checks minikube's kvm2 and OpenStack Nova's KVM troubleshooting pages have people run by
 * hand, as pure functions of a {@link HostSnapshot}. KVM is usable only when every check that
 * decides it passes: CPU flags, modules, /dev/kvm access for QEMU's user, and libvirt's domain
 * capabilities for kvm. /dev/kvm alone is not enough: on a CPU without vmx/svm it answers, yet a
 * KVM guest never runs an instruction.
 */
public final class HostChecks {
  public static final String CPU_FLAGS = "cpuVirtualizationFlags";
  public static final String MODULES = "kvmModulesLoaded";
  public static final String DEV_KVM = "devKvmAccess";
  public static final String DOMCAPS = "libvirtKvmDomainCapabilities";
  public static final String VHOST_NET = "vhostNet";
  public static final String NESTED = "nestedVirtualization";

  private static final Pattern FLAGS = Pattern.compile("(?m)^flags\\s*:.*\\b(vmx|svm)\\b");

  private HostChecks() {}

  public static List<HostCheck> evaluate(HostSnapshot s) {
    List<HostCheck> checks = new ArrayList<>();
    checks.add(cpuFlags(s));
    checks.add(modules(s));
    checks.add(devKvm(s));
    if (s.domcapsKvmError() == null) {
      checks.add(
          new HostCheck(
              DOMCAPS, true, "libvirt reports domain capabilities for virttype kvm", null, true));
    } else if (!s.domcapsKvmError().isEmpty()) {
      checks.add(
          new HostCheck(
              DOMCAPS,
              false,
              "virsh domcapabilities --virttype kvm fails: " + s.domcapsKvmError(),
              "load the kvm modules and give QEMU access to /dev/kvm, then restart libvirtd",
              true));
    }
    checks.add(
        new HostCheck(
            VHOST_NET,
            s.vhostNet(),
            s.vhostNet()
                ? "/dev/vhost-net exists (in-kernel virtio-net)"
                : "/dev/vhost-net does not exist: networking goes through QEMU in user space (slower)",
            s.vhostNet() ? null : "modprobe vhost_net",
            false));
    checks.add(nested(s));
    return checks;
  }

  private static HostCheck cpuFlags(HostSnapshot s) {
    boolean flags = s.cpuinfo() != null && FLAGS.matcher(s.cpuinfo()).find();
    return new HostCheck(
        CPU_FLAGS,
        flags,
        flags ? "the CPU has vmx/svm (hardware virtualization)" : "no vmx/svm in /proc/cpuinfo",
        flags ? null : "enable VT-x/AMD-V in the BIOS, or nested virtualization on the parent host",
        true);
  }

  private static HostCheck modules(HostSnapshot s) {
    boolean kvm = hasModule(s.modules(), "kvm");
    String vendorModule =
        hasModule(s.modules(), "kvm_intel")
            ? "kvm_intel"
            : hasModule(s.modules(), "kvm_amd") ? "kvm_amd" : null;
    boolean modules = kvm && vendorModule != null;
    return new HostCheck(
        MODULES,
        modules,
        modules
            ? "kvm and " + vendorModule + " are loaded"
            : "kvm"
                + (kvm
                    ? " is loaded, but neither kvm_intel nor kvm_amd"
                    : " and kvm_intel/kvm_amd are not loaded"),
        modules
            ? null
            : "modprobe kvm_intel (Intel) or modprobe kvm_amd (AMD); if that fails, the CPU or BIOS lacks virtualization",
        true);
  }

  private static HostCheck nested(HostSnapshot s) {
    boolean nested =
        s.nested() != null && (s.nested().strip().equals("Y") || s.nested().strip().equals("1"));
    return new HostCheck(
        NESTED,
        nested,
        s.nested() == null
            ? "kvm_intel/kvm_amd is not loaded, so guests cannot run KVM themselves"
            : nested ? "guests can run KVM themselves" : "nested virtualization is off",
        nested
            ? null
            : "echo 'options kvm_intel nested=1' > /etc/modprobe.d/kvm.conf and reload kvm_intel (kvm_amd likewise), only if guests need KVM",
        false);
  }

  private static HostCheck devKvm(HostSnapshot s) {
    HostSnapshot.DevNode d = s.devKvm();
    if (d == null) {
      return new HostCheck(
          DEV_KVM,
          false,
          "/dev/kvm does not exist",
          "load the kvm modules (modprobe kvm_intel or kvm_amd)",
          true);
    }
    if (!d.characterDevice()) {
      return new HostCheck(
          DEV_KVM,
          false,
          "/dev/kvm is not a character device",
          "recreate it: udevadm trigger",
          true);
    }
    boolean others = (d.mode() & 06) == 06;
    boolean group = (d.mode() & 060) == 060 && s.qemuUserGroups().contains(d.group());
    boolean ok = others || group;
    return new HostCheck(
        DEV_KVM,
        ok,
        "/dev/kvm is "
            + d.describe()
            + (ok
                ? ", usable by QEMU's user"
                : ", not readable and writable by QEMU's user (groups "
                    + String.join(",", s.qemuUserGroups())
                    + ")"),
        ok ? null : "udevadm trigger, or chgrp kvm /dev/kvm && chmod 660 /dev/kvm",
        true);
  }

  private static boolean hasModule(String modules, String name) {
    return modules != null
        && Pattern.compile("(?m)^" + Pattern.quote(name) + " ").matcher(modules).find();
  }

  public static boolean kvmUsable(List<HostCheck> checks) {
    return checks.stream().filter(HostCheck::decidesKvm).allMatch(HostCheck::passed);
  }

  /** The first failing check that decides KVM, if any. */
  public static Optional<HostCheck> kvmFailure(List<HostCheck> checks) {
    return checks.stream().filter(c -> c.decidesKvm() && !c.passed()).findFirst();
  }
}
