package io.kvmop.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Can this host really run KVM guests? /dev/kvm alone is not enough: on hosts without VT-x/AMD-V
 * (nested virtualization off) /dev/kvm answers, yet a KVM guest never runs an instruction. So the
 * CPU flags are checked first, then /dev/kvm.
 */
public final class KvmProbe {
  private final Path cpuinfo;
  private final Path devKvm;

  public KvmProbe(Path cpuinfo, Path devKvm) {
    this.cpuinfo = cpuinfo;
    this.devKvm = devKvm;
  }

  public static KvmProbe ofHost() {
    return new KvmProbe(Path.of("/proc/cpuinfo"), Path.of("/dev/kvm"));
  }

  /** Empty when KVM is usable; else why not, with the fix. */
  public Optional<String> whyUnusable() {
    String flags;
    try {
      flags = Files.readString(cpuinfo);
    } catch (IOException e) {
      return Optional.of("cannot read " + cpuinfo + ": " + e.getMessage());
    }
    if (!flags.matches("(?s).*\\bflags\\s*:.*\\b(vmx|svm)\\b.*")) {
      return Optional.of(
          "the CPU has no vmx/svm flag in "
              + cpuinfo
              + " (no hardware virtualization): enable VT-x/AMD-V in the BIOS, or nested"
              + " virtualization on the parent host");
    }
    if (!Files.exists(devKvm)) {
      return Optional.of(
          devKvm + " does not exist: load the kvm_intel or kvm_amd module (modprobe)");
    }
    return Optional.empty();
  }
}
