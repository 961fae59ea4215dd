package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmHostSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.PciDeviceId;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.status.Conditions;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.OperatorHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * This node's KvmHost, through the operator: mock API + libvirt test driver + this host's files.
 */
class KvmHostIT extends NetworkItBase {

  @Override
  boolean startOperator() {
    return false;
  }

  KvmMachine machine(String name, int cores, String memory) {
    KvmMachine m = Fixtures.machine("default", name);
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-a";
    m.getSpec().memory = memory;
    m.getSpec().cpu = new io.kvmop.api.CpuSpec();
    m.getSpec().cpu.cores = cores;
    return m;
  }

  @Test
  void theAgentCreatesItsHostAndReportsChecksCapacityAndAllocation() {
    k8s.start();
    KvmHost h = k8s.awaitHost(x -> Conditions.isTrue(x.getStatus().conditions, "Ready"), 15);
    assertThat(h.getMetadata().getName()).isEqualTo("node-a");
    assertThat(h.getStatus().libvirt.connected).isTrue();
    assertThat(h.getStatus().libvirt.uri).startsWith("test://");
    assertThat(h.getStatus().capacity.cpus).isPositive();
    assertThat(h.getStatus().kvm.checks)
        .extracting(c -> c.name)
        .containsExactly(
            "cpuVirtualizationFlags",
            "kvmModulesLoaded",
            "devKvmAccess",
            "libvirtKvmDomainCapabilities",
            "vhostNet",
            "nestedVirtualization");
    assertThat(h.getStatus().kvm.checks)
        .allSatisfy(c -> assertThat(c.passed || c.fix != null).isTrue());
    assertThat(Conditions.find(h.getStatus().conditions, "KVMUsable").orElseThrow().getStatus())
        .isEqualTo(h.getStatus().kvm.usable ? "True" : "False");

    k8s.create(machine("a", 2, "512Mi"));
    k8s.create(machine("b", 1, "1Gi"));
    KvmHost allocated = k8s.awaitHost(x -> x.getStatus().allocated.cpus == 3, 15);
    assertThat(allocated.getStatus().allocated.memory).isEqualTo("1536Mi");
  }

  @Test
  void anAdminsSpecIsKeptAndTheHostIsNotRecreated() {
    KvmHost mine = new KvmHost();
    mine.getMetadata().setName("node-a");
    mine.setSpec(new KvmHostSpec());
    mine.getSpec().cordoned = true;
    mine.getSpec().permittedHostDevices = List.of(new PciDeviceId("10de", "1eb8"));
    client.resource(mine).create();
    k8s.start();
    KvmHost h = k8s.awaitHost(x -> Conditions.isTrue(x.getStatus().conditions, "Ready"), 15);
    assertThat(h.getSpec().cordoned).isTrue();
    assertThat(h.getSpec().permittedHostDevices)
        .extracting(PciDeviceId::toString)
        .containsExactly("10de:1eb8");
  }

  @Test
  void aHostDeletedWhileTheAgentRunsIsRegisteredAgainAndReported() {
    k8s.start();
    KvmHost first = k8s.awaitHost(x -> Conditions.isTrue(x.getStatus().conditions, "Ready"), 15);
    client.resource(first).delete();
    // like kubelet's Node: the agent registers its host again, and reports it
    within(15)
        .until(
            () -> {
              KvmHost h = client.resources(KvmHost.class).withName("node-a").get();
              return h != null
                  && !h.getMetadata().getUid().equals(first.getMetadata().getUid())
                  && h.getStatus() != null
                  && Conditions.isTrue(h.getStatus().conditions, "Ready");
            });
  }

  @Test
  void theDefaultNetworkIsOnlyReportedUnlessTheAdminOptsIn() throws Exception {
    k8s.start();
    KvmHost h = k8s.awaitHost(x -> x.getStatus().defaultNetwork != null, 15);
    assertThat(h.getStatus().defaultNetwork.exists).isFalse();
    assertThat(h.getStatus().defaultNetwork.message)
        .contains("kvmop leaves it alone", "KVMOP_REPAIR_DEFAULT_NETWORK");
    assertThat(libvirt.networks().findNetwork("default")).isEmpty();
  }

  @Test
  void withTheOptInTheDefaultNetworkIsRecreatedStartedAndAutostarted() throws Exception {
    Path shipped = Path.of("/usr/share/libvirt/networks/default.xml");
    Path xml = dir.resolve("default.xml");
    Files.writeString(
        xml,
        Files.exists(shipped)
            ? Files.readString(shipped)
            : "<network><name>default</name><bridge name='virbr0'/><forward/><ip address='192.168.122.1' netmask='255.255.255.0'><dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip></network>");
    k8s.close();
    k8s =
        new OperatorHarness(
                client,
                "node-a",
                libvirt,
                host,
                Map.of(
                    "KVMOP_REPAIR_DEFAULT_NETWORK",
                    "true",
                    "KVMOP_DEFAULT_NETWORK_XML",
                    xml.toString()))
            .start();
    KvmHost h =
        k8s.awaitHost(
            x ->
                x.getStatus().defaultNetwork != null
                    && Boolean.TRUE.equals(x.getStatus().defaultNetwork.active),
            15);
    assertThat(h.getStatus().defaultNetwork.autostart).isTrue();
    NetworkState d = libvirt.networks().findNetwork("default").orElseThrow();
    assertThat(d.active()).isTrue();
    assertThat(d.autostart()).isTrue();
    assertThat(d.config().ips().get(0).netmask()).isEqualTo("255.255.255.0");
  }

  @Test
  void aHostDeviceIsAcceptedOnlyOnceTheNodePermitsIt() throws Exception {
    Path devices = Path.of("/sys/bus/pci/devices");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isDirectory(devices), "no PCI devices visible");
    Path dev;
    try (var list = Files.list(devices)) {
      dev = list.sorted().findFirst().orElseThrow();
    }
    String addr = dev.getFileName().toString();
    String vendor = Files.readString(dev.resolve("vendor")).strip().replaceFirst("^0x", "");
    String product = Files.readString(dev.resolve("device")).strip().replaceFirst("^0x", "");
    k8s.start();
    k8s.awaitHost(x -> Conditions.isTrue(x.getStatus().conditions, "Ready"), 15);
    KvmMachine m = machine("gpu", 1, "256Mi");
    m.getSpec().runStrategy =
        io.kvmop.api.RunStrategy.Manual; // defined only: nothing is passed through for real
    m.getSpec().hostDevices.add(new io.kvmop.api.HostDevice(addr));
    k8s.create(m);
    KvmMachine refused = k8s.awaitMachine("gpu", "Ready", false, "InvalidSpec", 15);
    assertThat(OperatorHarness.condition(refused, "Ready").orElseThrow().getMessage())
        .contains(addr + " (" + vendor + ":" + product + ") is not permitted on node node-a");
    assertThat(libvirt.domains().findDomain("kvmop-default-gpu")).isEmpty();

    KvmHost h = k8s.host("node-a");
    h.getSpec().permittedHostDevices = List.of(new PciDeviceId(vendor, product));
    k8s.updateSpec(h);
    k8s.awaitMachine("gpu", "Ready", true, "Stopped", 15);
    var hostdev =
        libvirt
            .domains()
            .findDomain("kvmop-default-gpu")
            .orElseThrow()
            .config()
            .devices()
            .hostdevs();
    assertThat(hostdev)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.type()).isEqualTo("pci");
              assertThat(d.source().address().bus()).isEqualTo("0x" + addr.split(":")[1]);
            });
  }
}
