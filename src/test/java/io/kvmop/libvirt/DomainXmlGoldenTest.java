package io.kvmop.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.BootSpec;
import io.kvmop.api.CpuFeature;
import io.kvmop.api.CpuMode;
import io.kvmop.api.CpuSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.MachineInterface;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.libvirt.xml.XmlCodec;
import io.kvmop.machine.MachineDesign;
import io.kvmop.machine.MachineNaming;
import io.kvmop.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The domain XML kvmop sends to libvirt for representative machines, pinned in golden files under
 * src/test/resources/golden. Regenerate with -Dkvmop.updateGolden=true and review the diff.
 */
class DomainXmlGoldenTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");

  static KvmMachine machine(Consumer<KvmMachine> edit) {
    KvmMachine m = Fixtures.machine("default", "web-1", "lab");
    m.getSpec().memory = "2Gi";
    edit.accept(m);
    return m;
  }

  static Stream<Arguments> machines() {
    return Stream.of(
        Arguments.of("domain-defaults", machine(m -> {})),
        Arguments.of(
            "domain-custom-cpu-uefi-agent",
            machine(
                m -> {
                  m.getSpec().cpu = new CpuSpec();
                  m.getSpec().cpu.sockets = 2;
                  m.getSpec().cpu.cores = 4;
                  m.getSpec().cpu.threads = 2;
                  m.getSpec().cpu.mode = CpuMode.CUSTOM;
                  m.getSpec().cpu.model = "Nehalem";
                  m.getSpec().cpu.features =
                      List.of(new CpuFeature("vmx", "require"), new CpuFeature("svm", "disable"));
                  m.getSpec().firmware = "uefi";
                  m.getSpec().guestAgent = true;
                  m.getSpec().hideHypervisor = true;
                  m.getSpec().interfaces.get(0).mac = "52:54:00:12:34:56";
                  MachineInterface def = new MachineInterface("eth1", null);
                  def.libvirtNetwork = "default";
                  def.model = "e1000e";
                  m.getSpec().interfaces.add(def);
                  m.getSpec().hostDevices.add(new io.kvmop.api.HostDevice("0000:3b:00.0"));
                })),
        Arguments.of(
            "domain-kernel-boot",
            machine(
                m -> {
                  m.getSpec().memory = "128Mi";
                  m.getSpec().cpu = new CpuSpec();
                  m.getSpec().cpu.mode = CpuMode.NONE;
                  m.getSpec().boot = new BootSpec();
                  m.getSpec().boot.kernel = "/var/lib/kvmop/images/vmlinuz";
                  m.getSpec().boot.initrd = "/var/lib/kvmop/images/initrd.gz";
                  m.getSpec().boot.cmdline = "console=ttyS0";
                  m.getSpec().serialLog = false;
                })),
        Arguments.of(
            "domain-vnc-hotplug-maxima",
            machine(
                m -> {
                  m.getSpec().memory = "1Gi";
                  m.getSpec().maxMemory = "8Gi";
                  m.getSpec().cpu = new CpuSpec();
                  m.getSpec().cpu.sockets = 2;
                  m.getSpec().cpu.maxSockets = 4;
                  m.getSpec().graphics = new io.kvmop.api.GraphicsSpec();
                  m.getSpec().graphics.type = "vnc";
                })),
        Arguments.of(
            "domain-rbd-disk",
            machine(
                m -> {
                  m.getSpec().cpu = new CpuSpec();
                  m.getSpec().cpu.mode = CpuMode.HOST_MODEL;
                })),
        Arguments.of(
            "domain-disks-and-seed",
            machine(
                m -> {
                  m.getSpec().cpu = new CpuSpec();
                  m.getSpec().cpu.mode = CpuMode.HOST_MODEL;
                })));
  }

  /** The devices DiskProvisioner gives a machine with a root overlay, a raw data disk, a seed. */
  static List<DomainXml.Disk> disksOf(String name) {
    if (name.equals("domain-rbd-disk")) {
      return List.of(
          io.kvmop.libvirt.xml.DomainDevices.Disk.rbd(
              "vms",
              "kvmop-default-web-1-root-0f1e2d3c",
              List.of(
                  new io.kvmop.libvirt.xml.DomainDevices.NetworkHost("10.0.0.1", "6789"),
                  new io.kvmop.libvirt.xml.DomainDevices.NetworkHost("10.0.0.2", "6789")),
              "kvmop",
              "3f6a2c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
              "vda",
              "virtio"));
    }
    if (!name.equals("domain-disks-and-seed")) {
      return List.of();
    }
    String pool = "/var/lib/kvmop/pool/";
    return List.of(
        DomainXml.Disk.file(
            pool + "kvmop-default-web-1-root-0f1e2d3c.qcow2", "qcow2", "vda", "virtio", false),
        DomainXml.Disk.file(
            pool + "kvmop-default-web-1-data-0f1e2d3c.img", "raw", "sda", "sata", false),
        DomainXml.Disk.file(
            pool + "kvmop-default-web-1-cidata-6b86b273ff34.iso", "raw", "vdb", "virtio", true));
  }

  static DomainXml design(KvmMachine m, String virtType) {
    return design(m, virtType, List.of());
  }

  static DomainXml design(KvmMachine m, String virtType, List<DomainXml.Disk> disks) {
    MachineNaming naming =
        MachineNaming.of(
            "default", m.getMetadata().getName(), m.getMetadata().getUid(), "/var/log/kvmop");
    return MachineDesign.desired(
        m, naming, Map.of("eth0", "kvmop-default-lab-1234", "eth1", "default"), virtType, disks);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("machines")
  void matchesGoldenFile(String name, KvmMachine m) throws IOException {
    String xml = XmlCodec.write(design(m, "qemu", disksOf(name)));
    Path file = GOLDEN.resolve(name + ".xml");
    if (Boolean.getBoolean("kvmop.updateGolden")) {
      Files.writeString(file, xml, StandardCharsets.UTF_8);
    }
    assertThat(xml).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("machines")
  void readsBackToTheSameRecord(String name, KvmMachine m) {
    DomainXml d = design(m, "kvm", disksOf(name));
    assertThat(XmlCodec.read(XmlCodec.write(d), DomainXml.class)).isEqualTo(d);
  }

  @Test
  void userTextCannotInjectElements() {
    KvmMachine m =
        machine(
            mm -> {
              mm.getSpec().boot = new BootSpec();
              mm.getSpec().boot.kernel = "/k";
              mm.getSpec().boot.cmdline =
                  "console=ttyS0</cmdline></os><devices><hostdev/></devices><os><cmdline>";
            });
    String xml = XmlCodec.write(design(m, "qemu"));
    assertThat(xml).doesNotContain("<hostdev").contains("&lt;/cmdline>");
    assertThat(XmlCodec.read(xml, DomainXml.class).os().cmdline())
        .isEqualTo(m.getSpec().boot.cmdline);
  }

  @Test
  void macsAreDerivedFromTheUidStablyAndDifferPerInterface() {
    MachineNaming a = MachineNaming.of("default", "web-1", "uid-1", "/var/log/kvmop");
    assertThat(a.macFor("eth0")).matches("52:54:00(:[0-9a-f]{2}){3}").isEqualTo(a.macFor("eth0"));
    assertThat(a.macFor("eth1")).isNotEqualTo(a.macFor("eth0"));
    assertThat(MachineNaming.of("default", "web-1", "uid-2", "/x").macFor("eth0"))
        .isNotEqualTo(a.macFor("eth0"));
    assertThat(a.domainName()).isEqualTo("kvmop-default-web-1");
    assertThat(a.serialLogPath()).isEqualTo("/var/log/kvmop/default/web-1.log");
  }
}
