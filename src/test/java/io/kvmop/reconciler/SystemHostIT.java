package io.kvmop.reconciler;

import static io.kvmop.testing.Shell.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmHostStatus.HostCheckStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.VirtType;
import io.kvmop.status.Conditions;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.OperatorHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The KvmHost of this very machine, reported by the agent against the real libvirtd. */
class SystemHostIT extends SystemItBase {

  private static HostCheckStatus check(KvmHost h, String name) {
    return h.getStatus().kvm.checks.stream()
        .filter(c -> c.name.equals(name))
        .findFirst()
        .orElseThrow();
  }

  private String netInfo(String name) {
    return run("virsh", "--connect=" + uri, "net-info", name).output();
  }

  @Test
  void theHostIsReportedAsItReallyIs() throws Exception {
    String defaultBefore = netInfo("default");
    KvmHost h = k8s.awaitHost(x -> Conditions.isTrue(x.getStatus().conditions, "Ready"), 30);
    assertThat(h.getStatus().libvirt.version).matches("\\d+\\.\\d+\\.\\d+");
    assertThat(h.getStatus().libvirt.uri).isEqualTo(uri);
    assertThat(h.getStatus().cpuModels).isNotEmpty();
    assertThat(h.getStatus().operations.liveChanges)
        .containsExactly("memory", "vcpus", "disks", "interfaces");
    assertThat(h.getStatus().operations.snapshots).isTrue();
    assertThat(h.getStatus().operations.clones).as("qemu-utils is installed here").isTrue();

    boolean vmx =
        Files.readString(Path.of("/proc/cpuinfo"))
            .matches("(?s).*\\bflags\\s*:.*\\b(vmx|svm)\\b.*");
    assertThat(check(h, "cpuVirtualizationFlags").passed).isEqualTo(vmx);
    assertThat(check(h, "vhostNet").passed).isEqualTo(Files.exists(Path.of("/dev/vhost-net")));
    if (!vmx) {
      assertThat(h.getStatus().kvm.usable).isFalse();
      var usable = Conditions.find(h.getStatus().conditions, "KVMUsable").orElseThrow();
      assertThat(usable.getReason()).isEqualTo("cpuVirtualizationFlags");
      assertThat(usable.getMessage()).contains("no vmx/svm", "enable VT-x/AMD-V");
    }

    boolean exists = !defaultBefore.isBlank() && defaultBefore.contains("Name:");
    assertThat(h.getStatus().defaultNetwork.exists).isEqualTo(exists);
    if (exists) {
      assertThat(h.getStatus().defaultNetwork.active)
          .isEqualTo(defaultBefore.matches("(?s).*Active:\\s+yes.*"));
      assertThat(h.getStatus().defaultNetwork.autostart)
          .isEqualTo(defaultBefore.matches("(?s).*Autostart:\\s+yes.*"));
    }
    assertThat(netInfo("default"))
        .as("the default network is reported, never touched")
        .isEqualTo(defaultBefore);
  }

  @Test
  void virtTypeKvmIsRefusedWithTheFailingChecksFixWhereKvmIsUnusable() throws Exception {
    assumeFalse(
        Files.readString(Path.of("/proc/cpuinfo"))
            .matches("(?s).*\\bflags\\s*:.*\\b(vmx|svm)\\b.*"),
        "this host has hardware virtualization");
    KvmMachine m = Fixtures.machine("default", PREFIX + "kvm");
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-a";
    m.getSpec().memory = "128Mi";
    m.getSpec().virtType = VirtType.KVM;
    k8s.create(m);
    KvmMachine refused = k8s.awaitMachine(PREFIX + "kvm", "Ready", false, "KVMUnavailable", 30);
    assertThat(OperatorHarness.condition(refused, "Ready").orElseThrow().getMessage())
        .contains("cpuVirtualizationFlags", "fix: enable VT-x/AMD-V");
    assertThat(run("virsh", "--connect=" + uri, "dominfo", refused.getStatus().domainName).ok())
        .isFalse();
  }
}
