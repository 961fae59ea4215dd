package io.kvmop.machine;

import io.kvmop.libvirt.xml.DomainXml;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Compares a domain as libvirt shows it with the declared one, on what kvmop declares. */
final class MachineDrift {
  private MachineDrift() {}

  static boolean same(DomainXml observed, DomainXml desired) {
    return observed != null && normalize(observed).equals(normalize(desired));
  }

  /** libvirt writes a CPU with no mode as mode custom; both mean "no model chosen". */
  private static DomainXml normalize(DomainXml d) {
    DomainXml.Cpu cpu = d.cpu();
    if (cpu != null && cpu.model() == null && (cpu.mode() == null || "custom".equals(cpu.mode()))) {
      cpu = new DomainXml.Cpu(null, null, null, cpu.topology(), cpu.features());
    }
    return new DomainXml(
        d.type(),
        d.name(),
        d.uuid(),
        d.metadata(),
        d.memory(),
        d.vcpu(),
        d.os(),
        d.features(),
        cpu,
        d.devices());
  }

  static String describe(DomainXml before, DomainXml after) {
    List<String> parts = new ArrayList<>();
    diff(parts, "virtType", before.type(), after.type());
    diff(parts, "memory", before.memory(), after.memory());
    diff(parts, "vCPUs", before.vcpu(), after.vcpu());
    diff(parts, "boot", before.os(), after.os());
    diff(parts, "features", before.features(), after.features());
    diff(parts, "cpu", normalize(before).cpu(), normalize(after).cpu());
    diff(parts, "devices", before.devices(), after.devices());
    diff(parts, "ownership metadata", before.metadata(), after.metadata());
    return parts.isEmpty() ? "definition" : String.join(", ", parts);
  }

  private static void diff(List<String> parts, String label, Object a, Object b) {
    if (!Objects.equals(a, b)) {
      parts.add(label);
    }
  }
}
