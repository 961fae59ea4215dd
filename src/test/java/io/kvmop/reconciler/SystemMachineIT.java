package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static io.kvmop.testing.Shell.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.BootSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.MachinePhase;
import io.kvmop.api.NetworkMode;
import io.kvmop.api.RunStrategy;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.SystemLeftovers;
import io.kvmop.testing.TestGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A real guest on the real libvirtd: the tiny Debian-kernel guest boots under QEMU on an isolated
 * KvmNetwork, gets a DHCP lease, and kvmop reports it; then manual damage, Halted and deletion.
 */
class SystemMachineIT extends SystemItBase {

  @Test
  void aRealGuestBootsGetsItsLeaseAndStaysAsDeclared() throws Exception {
    Path guest = TestGuest.build();
    k8s.create(
        SystemLeftovers.PREFIX + "net", Fixtures.spec(NetworkMode.ISOLATED, "10.251.10.0/24"));
    String net =
        k8s.awaitReady(SystemLeftovers.PREFIX + "net", true, "Active").getStatus().libvirtName;

    KvmMachine m =
        Fixtures.machine("default", SystemLeftovers.PREFIX + "vm", SystemLeftovers.PREFIX + "net");
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-a";
    m.getSpec().memory = "128Mi";
    m.getSpec().shutdownTimeout = "5s";
    m.getSpec().boot = new BootSpec();
    m.getSpec().boot.kernel = guest.resolve("vmlinuz").toString();
    m.getSpec().boot.initrd = guest.resolve("initrd.gz").toString();
    m.getSpec().boot.cmdline = "console=ttyS0";
    long t0 = System.nanoTime();
    KvmMachine created = k8s.create(m);
    String expectedMac =
        io.kvmop.machine.MachineNaming.of(
                "default", created.getMetadata().getName(), created.getMetadata().getUid(), "/")
            .macFor("eth0");
    Path leaseFile =
        Path.of(
            "/var/lib/libvirt/dnsmasq",
            k8s.get(SystemLeftovers.PREFIX + "net").getStatus().bridge + ".status");
    long[] seen = new long[2]; // when dnsmasq wrote the lease, when status showed the address
    within(240)
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
              long now = System.nanoTime();
              if (seen[0] == 0
                  && Files.exists(leaseFile)
                  && Files.readString(leaseFile).contains(expectedMac)) {
                seen[0] = now;
              }
              KvmMachine cur = k8s.machine(SystemLeftovers.PREFIX + "vm");
              if (seen[1] == 0
                  && cur.getStatus() != null
                  && !cur.getStatus().ipAddresses.isEmpty()) {
                seen[1] = now;
              }
              return seen[0] != 0 && seen[1] != 0;
            });
    System.out.printf(
        "apply -> IP in status (real guest, qemu TCG): %d ms%n", (seen[1] - t0) / 1_000_000);
    System.out.printf(
        "dnsmasq lease written -> IP in status: %d ms%n", (seen[1] - seen[0]) / 1_000_000);
    KvmMachine ready =
        k8s.awaitMachine(SystemLeftovers.PREFIX + "vm", "Ready", true, "Running", 30);

    String domain = ready.getStatus().domainName;
    String mac = ready.getStatus().interfaces.get(0).mac;
    String leases = virsh("net-dhcp-leases", net);
    Matcher lease = Pattern.compile(Pattern.quote(mac) + "\\s+ipv4\\s+([0-9.]+)/").matcher(leases);
    assertThat(lease.find()).as("libvirt has a lease for %s: %s", mac, leases).isTrue();
    assertThat(ready.getStatus().ipAddresses).containsExactly(lease.group(1));
    assertThat(ready.getStatus().interfaces.get(0).source).isEqualTo("lease");
    assertThat(ready.getStatus().virtType).isEqualTo("qemu");
    assertThat(OperatorHarness.condition(ready, "KVMAvailable").orElseThrow().getStatus())
        .isEqualTo("False");
    assertThat(OperatorHarness.condition(ready, "KVMAvailable").orElseThrow().getMessage())
        .contains("cpuVirtualizationFlags: no vmx/svm");
    assertThat(ready.getStatus().phase).isEqualTo(MachinePhase.Running);
    assertThat(Files.readString(Path.of(ready.getStatus().serialLogPath)))
        .contains("kvmop-guest: lease " + lease.group(1));
    assertLeftAlone(domain);

    virsh("destroy", domain);
    within(60).until(() -> virsh("domstate", domain).strip().equals("running"));
    k8s.awaitMachine(SystemLeftovers.PREFIX + "vm", "Ready", true, "Running", 120);

    ready = k8s.machine(SystemLeftovers.PREFIX + "vm");
    ready.getSpec().runStrategy = RunStrategy.Halted;
    k8s.updateSpec(ready);
    KvmMachine halted =
        k8s.awaitMachine(SystemLeftovers.PREFIX + "vm", "Ready", true, "Halted", 60);
    assertThat(virsh("domstate", domain).strip()).isEqualTo("shut off");
    assertThat(halted.getStatus().ipAddresses).as("a stopped machine reports no address").isEmpty();

    k8s.delete(halted);
    within(60).until(() -> k8s.machine(SystemLeftovers.PREFIX + "vm") == null);
    assertThat(run("virsh", "dominfo", domain).ok()).isFalse();
    assertThat(Path.of(halted.getStatus().serialLogPath)).doesNotExist();
  }

  @Test
  void withTheGuestAgentAddressesAndShutdownGoThroughIt() {
    Path guest = TestGuest.build();
    k8s.create(
        SystemLeftovers.PREFIX + "agentnet", Fixtures.spec(NetworkMode.ISOLATED, "10.251.11.0/24"));
    k8s.awaitReady(SystemLeftovers.PREFIX + "agentnet", true, "Active");
    KvmMachine m =
        Fixtures.machine(
            "default", SystemLeftovers.PREFIX + "agent", SystemLeftovers.PREFIX + "agentnet");
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-a";
    m.getSpec().memory = "128Mi";
    m.getSpec().guestAgent = true;
    m.getSpec().shutdownTimeout = "60s";
    m.getSpec().boot = new BootSpec();
    m.getSpec().boot.kernel = guest.resolve("vmlinuz").toString();
    m.getSpec().boot.initrd = guest.resolve("initrd.gz").toString();
    m.getSpec().boot.cmdline = "console=ttyS0";
    k8s.create(m);
    KvmMachine ready =
        k8s.awaitMachine(
            SystemLeftovers.PREFIX + "agent", "AgentConnected", true, "Connected", 240);
    within(60)
        .until(
            () -> {
              KvmMachine cur = k8s.machine(SystemLeftovers.PREFIX + "agent");
              return cur.getStatus().interfaces.get(0).source != null
                  && cur.getStatus().interfaces.get(0).source.equals("agent")
                  && !cur.getStatus().ipAddresses.isEmpty();
            });
    String domain = ready.getStatus().domainName;
    String fromAgent = virsh("domifaddr", domain, "--source", "agent");
    KvmMachine withIp = k8s.machine(SystemLeftovers.PREFIX + "agent");
    assertThat(fromAgent).contains(withIp.getStatus().ipAddresses.get(0));

    withIp.getSpec().runStrategy = RunStrategy.Halted;
    long t0 = System.nanoTime();
    k8s.updateSpec(withIp);
    within(60)
        .until(() -> virsh("domstate", domain, "--reason").strip().equals("shut off (shutdown)"));
    System.out.printf(
        "Halted -> shut off through the guest agent: %d ms%n",
        (System.nanoTime() - t0) / 1_000_000);
    k8s.awaitMachine(SystemLeftovers.PREFIX + "agent", "Ready", true, "Halted", 30);
  }

  /**
   * libvirt fills in what a definition leaves out (a boot device, a default CPU model, UEFI loader
   * and NVRAM); none of it may look like a hand edit, or kvmop would redefine forever.
   */
  @Test
  void everyCpuModeAndFirmwareIsLeftAloneOnceDefined() {
    Path guest = TestGuest.build();
    Map<String, java.util.function.Consumer<KvmMachine>> variants = new LinkedHashMap<>();
    variants.put("cpunone", m -> m.getSpec().cpu.mode = io.kvmop.api.CpuMode.NONE);
    variants.put(
        "cpucustom",
        m -> {
          m.getSpec().cpu.mode = io.kvmop.api.CpuMode.CUSTOM;
          m.getSpec().cpu.model = "qemu64";
          m.getSpec().cpu.features = List.of(new io.kvmop.api.CpuFeature("sse4.2", "disable"));
        });
    variants.put("hostmodel", m -> m.getSpec().cpu.cores = 2);
    variants.put("uefi", m -> m.getSpec().firmware = "uefi");
    variants.put("diskboot", m -> m.getSpec().boot = null);
    for (var v : variants.entrySet()) {
      KvmMachine m = Fixtures.machine("default", SystemLeftovers.PREFIX + v.getKey());
      m.getMetadata().setUid(null);
      m.getMetadata().setGeneration(null);
      m.getSpec().nodeName = "node-a";
      m.getSpec().memory = "128Mi";
      m.getSpec().runStrategy = RunStrategy.Manual;
      m.getSpec().cpu = new io.kvmop.api.CpuSpec();
      m.getSpec().boot = new BootSpec();
      m.getSpec().boot.kernel = guest.resolve("vmlinuz").toString();
      v.getValue().accept(m);
      k8s.create(m);
    }
    for (String name : variants.keySet()) {
      within(60)
          .until(
              () -> {
                KvmMachine cur = k8s.machine(SystemLeftovers.PREFIX + name);
                return cur.getStatus() != null
                    && cur.getStatus().phase == MachinePhase.Stopped
                    && cur.getStatus().domainName != null;
              });
    }
    assertNoDomainEvents(); // all of them at once
  }

  @Test
  void aCpuModelTheNodeLacksIsRefusedWithTheModelsItHas() {
    KvmMachine m = Fixtures.machine("default", SystemLeftovers.PREFIX + "cpu");
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-a";
    m.getSpec().memory = "128Mi";
    m.getSpec().virtType = io.kvmop.api.VirtType.QEMU;
    m.getSpec().cpu = new io.kvmop.api.CpuSpec();
    m.getSpec().cpu.mode = io.kvmop.api.CpuMode.CUSTOM;
    m.getSpec().cpu.model = "NoSuchCpu-v9";
    k8s.create(m);
    KvmMachine refused =
        k8s.awaitMachine(SystemLeftovers.PREFIX + "cpu", "Ready", false, "InvalidSpec", 30);
    assertThat(OperatorHarness.condition(refused, "Ready").orElseThrow().getMessage())
        .startsWith("spec.cpu.model NoSuchCpu-v9 is not offered by this node; it has: ")
        .contains("qemu64");
    assertThat(run("virsh", "dominfo", refused.getStatus().domainName).ok()).isFalse();

    // without usable KVM (this host), host-passthrough is refused before libvirt fails to start it
    KvmMachine p = Fixtures.machine("default", SystemLeftovers.PREFIX + "passthrough");
    p.getMetadata().setUid(null);
    p.getMetadata().setGeneration(null);
    p.getSpec().nodeName = "node-a";
    p.getSpec().memory = "128Mi";
    p.getSpec().cpu = new io.kvmop.api.CpuSpec();
    p.getSpec().cpu.mode = io.kvmop.api.CpuMode.HOST_PASSTHROUGH;
    k8s.create(p);
    within(30)
        .until(
            () -> {
              KvmMachine cur = k8s.machine(SystemLeftovers.PREFIX + "passthrough");
              return cur.getStatus() != null && cur.getStatus().virtType != null;
            });
    if ("qemu".equals(k8s.machine(SystemLeftovers.PREFIX + "passthrough").getStatus().virtType)) {
      KvmMachine noKvm =
          k8s.awaitMachine(
              SystemLeftovers.PREFIX + "passthrough", "Ready", false, "InvalidSpec", 30);
      assertThat(OperatorHarness.condition(noKvm, "Ready").orElseThrow().getMessage())
          .contains("spec.cpu.mode host-passthrough needs KVM");
      assertThat(run("virsh", "dominfo", noKvm.getStatus().domainName).ok()).isFalse();
    }
  }
}
