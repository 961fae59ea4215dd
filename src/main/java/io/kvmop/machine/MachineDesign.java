package io.kvmop.machine;

import io.kvmop.api.BootSpec;
import io.kvmop.api.CpuMode;
import io.kvmop.api.CpuSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.MachineInterface;
import io.kvmop.api.Quantities;
import io.kvmop.disk.BootFiles;
import io.kvmop.libvirt.xml.DomainXml;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a valid KvmMachine into the libvirt domain it should be. Pure: the same inputs always give
 * the same XML, which is what drift detection compares against.
 */
public final class MachineDesign {
  private MachineDesign() {}

  /**
   * @param libvirtNetworks each interface name to the libvirt network it attaches to
   * @param virtType "kvm" or "qemu", as decided for this host
   */
  public static DomainXml desired(
      KvmMachine machine,
      MachineNaming naming,
      Map<String, String> libvirtNetworks,
      String virtType) {
    return desired(machine, naming, libvirtNetworks, virtType, List.of());
  }

  /**
   * @param disks the machine's disk devices as its node provisioned them (volumes, seed)
   */
  public static DomainXml desired(
      KvmMachine machine,
      MachineNaming naming,
      Map<String, String> libvirtNetworks,
      String virtType,
      List<DomainXml.Disk> disks) {
    var boot = machine.getSpec().boot;
    return desired(
        machine,
        naming,
        libvirtNetworks,
        virtType,
        disks,
        boot == null ? null : new BootFiles(boot.kernel, boot.initrd, null));
  }

  /**
   * @param boot the kernel and initrd as checked on the node (their real paths), null without
   *     direct kernel boot
   */
  public static DomainXml desired(
      KvmMachine machine,
      MachineNaming naming,
      Map<String, String> libvirtNetworks,
      String virtType,
      List<DomainXml.Disk> disks,
      BootFiles boot) {
    KvmMachineSpec spec = machine.getSpec();
    var meta = machine.getMetadata();
    long kib = Quantities.kib(spec.memory).orElseThrow();
    long maxKib = Math.max(kib, Quantities.kib(spec.maxMemoryOrMemory()).orElse(kib));
    CpuSpec cpu = spec.cpuOrDefault();
    return new DomainXml(
            virtType,
            naming.domainName(),
            meta.getUid(),
            new DomainXml.Metadata(
                new DomainXml.Owner(meta.getNamespace(), meta.getName(), meta.getUid())),
            new DomainXml.Memory(maxKib),
            maxKib > kib ? new DomainXml.Memory(kib) : null,
            new DomainXml.Vcpu(cpu.vcpus(), cpu.maxVcpus()),
            os(spec, boot),
            new DomainXml.Features(
                new DomainXml.Empty(),
                new DomainXml.Empty(),
                Boolean.TRUE.equals(spec.hideHypervisor)
                    ? new DomainXml.Kvm(new DomainXml.Hidden("on"))
                    : null),
            cpu(cpu),
            devices(spec, naming, libvirtNetworks, disks))
        .withDefinitionHash();
  }

  private static DomainXml.Os os(KvmMachineSpec spec, BootFiles files) {
    BootSpec boot = spec.boot;
    String firmware = "uefi".equals(spec.firmware) ? "efi" : null;
    DomainXml.OsType type = new DomainXml.OsType("x86_64", "hvm");
    if (boot != null && files != null) {
      return new DomainXml.Os(firmware, type, files.kernel(), files.initrd(), boot.cmdline, null);
    }
    return new DomainXml.Os(firmware, type, null, null, null, new DomainXml.Boot("hd"));
  }

  private static DomainXml.Cpu cpu(CpuSpec cpu) {
    var topology =
        new DomainXml.Topology(
            cpu.maxVcpus() > cpu.vcpus() ? cpu.maxSockets : cpu.sockets, cpu.cores, cpu.threads);
    List<DomainXml.CpuFeature> features =
        cpu.features == null || cpu.features.isEmpty()
            ? null
            : cpu.features.stream()
                .map(f -> new DomainXml.CpuFeature(f.policy == null ? "require" : f.policy, f.name))
                .toList();
    CpuMode mode = cpu.modeOrDefault();
    return switch (mode) {
      case CUSTOM ->
          new DomainXml.Cpu(
              "custom", "exact", new DomainXml.CpuModel("forbid", cpu.model), topology, features);
      case NONE -> new DomainXml.Cpu(null, null, null, topology, features);
      default -> new DomainXml.Cpu(mode.wireName(), null, null, topology, features);
    };
  }

  private static DomainXml.Devices devices(
      KvmMachineSpec spec,
      MachineNaming naming,
      Map<String, String> libvirtNetworks,
      List<DomainXml.Disk> disks) {
    List<DomainXml.Interface> nics = new ArrayList<>();
    for (MachineInterface i : spec.interfaces) {
      String mac = i.mac != null ? i.mac.toLowerCase(Locale.ROOT) : naming.macFor(i.name);
      nics.add(
          new DomainXml.Interface(
              "network",
              new DomainXml.InterfaceSource(libvirtNetworks.get(i.name)),
              new DomainXml.Mac(mac),
              new DomainXml.Model(i.model == null ? "virtio" : i.model)));
    }
    DomainXml.Serial serial =
        Boolean.FALSE.equals(spec.serialLog)
            ? new DomainXml.Serial("pty", null, null)
            : new DomainXml.Serial(
                "pty", null, new DomainXml.SerialLog(naming.serialLogPath(), "on"));
    List<DomainXml.Channel> channels =
        Boolean.TRUE.equals(spec.guestAgent)
            ? List.of(
                new DomainXml.Channel(
                    "unix", new DomainXml.ChannelTarget("virtio", "org.qemu.guest_agent.0")))
            : null;
    List<DomainXml.Hostdev> hostdevs =
        spec.hostDevices == null || spec.hostDevices.isEmpty()
            ? null
            : spec.hostDevices.stream().map(d -> DomainXml.Hostdev.pci(d.pciAddress)).toList();
    return new DomainXml.Devices(
        disks == null || disks.isEmpty() ? null : List.copyOf(disks),
        nics.isEmpty() ? null : nics,
        hostdevs,
        List.of(serial),
        channels,
        spec.graphics != null && "vnc".equals(spec.graphics.type)
            ? List.of(DomainXml.Graphics.vncOnLoopback())
            : null);
  }

  /** The MAC each interface uses, by interface name. */
  public static String mac(MachineInterface i, MachineNaming naming) {
    return i.mac != null ? i.mac.toLowerCase(Locale.ROOT) : naming.macFor(i.name);
  }

  /** The domain type for this pass: kvm or qemu as declared, auto by the node's KVM verdict. */
  static String virtType(KvmMachineSpec spec, java.util.Optional<String> kvmWhy) {
    return switch (spec.virtTypeOrDefault()) {
      case KVM -> "kvm";
      case QEMU -> "qemu";
      case AUTO -> kvmWhy.isEmpty() ? "kvm" : "qemu";
    };
  }
}
