package io.kvmop.machine;

import io.kvmop.disk.DiskProvisioner;
import io.kvmop.libvirt.xml.DomainXml;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Compares a domain as libvirt shows it with the declared one, on what kvmop declares. */
final class MachineDrift {
  private MachineDrift() {}

  private static final DomainXml.Boot HD = new DomainXml.Boot("hd");

  /**
   * Whether the persistent definition is the declared one: when libvirt's stored form carries the
   * declared definition hash and the hash of that stored form (recorded right after kvmop defined
   * it), nobody changed it, whatever libvirt filled in; else field by field.
   */
  static boolean asDeclared(DomainXml stored, DomainXml desired) {
    DomainXml.Owner mark = stored == null ? null : stored.owner();
    if (mark != null
        && mark.stored() != null
        && mark.definition() != null
        && mark.definition().equals(desired.definitionHash())
        && mark.stored().equals(stored.storedHash())) {
      return true;
    }
    return same(stored, desired);
  }

  /**
   * Whether libvirt's stored definition is exactly the one kvmop last defined (the hash of the
   * stored form, recorded right after the define, still matches): nobody edited it since.
   */
  static boolean untouched(DomainXml stored) {
    DomainXml.Owner mark = stored == null ? null : stored.owner();
    return mark != null && mark.stored() != null && mark.stored().equals(stored.storedHash());
  }

  static boolean same(DomainXml observed, DomainXml desired) {
    return observed != null && normalize(observed).equals(normalize(desired));
  }

  /**
   * What libvirt fills in when it stores a definition: a CPU with no mode becomes mode custom (both
   * mean "no model chosen"), and an hvm guest with no boot device boots from hd (libvirt adds
   * {@code <boot dev='hd'/>} to a kernel-boot definition at define time).
   */
  private static DomainXml normalize(DomainXml d) {
    DomainXml.Os os = d.os();
    if (os != null && os.boot() == null) {
      os = new DomainXml.Os(os.firmware(), os.type(), os.kernel(), os.initrd(), os.cmdline(), HD);
    }
    DomainXml.Cpu cpu = d.cpu();
    if (cpu != null && cpu.model() == null && (cpu.mode() == null || "custom".equals(cpu.mode()))) {
      cpu = new DomainXml.Cpu(null, null, null, cpu.topology(), cpu.features());
    }
    DomainXml.Owner o = d.owner();
    // the hashes kvmop records beside the definition's are not part of what is declared
    DomainXml.Metadata meta =
        o == null
            ? d.metadata()
            : new DomainXml.Metadata(
                new DomainXml.Owner(o.namespace(), o.name(), o.uid(), o.definition()));
    return new DomainXml(
        d.type(),
        d.name(),
        d.uuid(),
        meta,
        d.memory(),
        d.memoryNow(),
        d.vcpu(),
        os,
        d.features(),
        cpu,
        d.devices());
  }

  /**
   * Whether the running domain was started from the declared definition: by the hash in its owner
   * mark, since libvirt expands a running definition (host-model CPU into a model and features, a
   * boot order for kernel boot). A domain started without a hash compares as it is.
   */
  static boolean startedAsDeclared(DomainXml live, DomainXml desired) {
    if (live.definitionHash() != null && desired.definitionHash() != null) {
      return live.definitionHash().equals(desired.definitionHash());
    }
    return same(running(live), running(desired));
  }

  /** What differs between the running domain and the declared one, as far as it can be told. */
  /**
   * What differs between the running domain and the declared one, named by the spec fields a user
   * changed (spec.maxMemory, spec.cloudInit), not by the parts of libvirt's XML they end up in.
   */
  static String describeRunning(DomainXml live, DomainXml desired) {
    DomainXml a = running(live);
    DomainXml b = running(desired);
    List<String> parts = new ArrayList<>();
    diff(parts, "spec.virtType", a.type(), b.type());
    boolean ballooned = b.memoryNow() != null && !Objects.equals(b.memoryNow(), b.memory());
    diff(parts, ballooned ? "spec.maxMemory" : "spec.memory", a.memory(), b.memory());
    if (Objects.equals(a.memory(), b.memory())) {
      diff(parts, "spec.memory", a.memoryNow(), b.memoryNow());
    }
    diff(parts, "spec.cpu", a.vcpu(), b.vcpu());
    diff(parts, "spec.boot", normalize(a).os(), normalize(b).os());
    diff(parts, "spec.firmware", a.features(), b.features());
    if (!parts.contains("spec.cpu")) {
      diff(parts, "spec.cpu", normalize(a).cpu(), normalize(b).cpu());
    }
    DomainXml.Devices da = a.devices() == null ? EMPTY : a.devices();
    DomainXml.Devices db = b.devices() == null ? EMPTY : b.devices();
    diff(parts, "spec.disks", disks(da, false), disks(db, false));
    diff(parts, "spec.cloudInit", disks(da, true), disks(db, true));
    diff(parts, "spec.interfaces", da.interfaces(), db.interfaces());
    diff(parts, "spec.hostDevices", da.hostdevs(), db.hostdevs());
    // what libvirt fills in on a running domain is not a change: a graphics port chosen, a pty's
    // path
    diff(parts, "spec.graphics", declared(da.graphics()), declared(db.graphics()));
    diff(parts, "spec.guestAgent", da.channels(), db.channels());
    diff(parts, "kvmop's ownership mark", a.metadata(), b.metadata());
    return parts.isEmpty() ? "definition" : String.join(", ", parts);
  }

  /** A console as declared: its type and where it listens (the port is libvirt's choice). */
  private static List<String> declared(List<DomainXml.Graphics> graphics) {
    return graphics == null
        ? List.of()
        : graphics.stream().map(g -> g.type() + "@" + g.listen()).toList();
  }

  private static final DomainXml.Devices EMPTY =
      new DomainXml.Devices(null, null, null, null, null, null);

  /** The cloud-init seed (a read-only cdrom kvmop writes), or every other disk. */
  private static List<DomainXml.Disk> disks(DomainXml.Devices d, boolean seed) {
    return d.disks() == null
        ? List.of()
        : d.disks().stream()
            .filter(
                x ->
                    seed
                        == (x.source() != null
                            && x.source().file() != null
                            && x.source().file().contains("-" + DiskProvisioner.CIDATA + "-")))
            .toList();
  }

  /** Without what libvirt expands at start: the boot order and the CPU beyond its topology. */
  private static DomainXml running(DomainXml d) {
    DomainXml.Os os = d.os();
    if (os != null && os.kernel() != null) {
      os = new DomainXml.Os(os.firmware(), os.type(), os.kernel(), os.initrd(), os.cmdline(), null);
    }
    DomainXml.Cpu cpu =
        d.cpu() == null ? null : new DomainXml.Cpu(null, null, null, d.cpu().topology(), null);
    DomainXml.Metadata meta =
        d.metadata() == null || d.metadata().owner() == null
            ? d.metadata()
            : new DomainXml.Metadata(
                new DomainXml.Owner(
                    d.metadata().owner().namespace(),
                    d.metadata().owner().name(),
                    d.metadata().owner().uid()));
    return new DomainXml(
        d.type(),
        d.name(),
        d.uuid(),
        meta,
        d.memory(),
        d.memoryNow(),
        d.vcpu(),
        os,
        d.features(),
        cpu,
        d.devices());
  }

  static String describe(DomainXml before, DomainXml after) {
    List<String> parts = new ArrayList<>();
    diff(parts, "virtType", before.type(), after.type());
    diff(parts, "memory", before.memory(), after.memory());
    if (Objects.equals(before.memory(), after.memory())) {
      diff(parts, "current memory", before.memoryNow(), after.memoryNow());
    }
    diff(parts, "vCPUs", before.vcpu(), after.vcpu());
    diff(parts, "boot", normalize(before).os(), normalize(after).os());
    diff(parts, "features", before.features(), after.features());
    diff(parts, "cpu", normalize(before).cpu(), normalize(after).cpu());
    diff(
        parts,
        "disks",
        before.devices() == null ? null : before.devices().disks(),
        after.devices() == null ? null : after.devices().disks());
    diff(parts, "devices", withoutDisks(before.devices()), withoutDisks(after.devices()));
    diff(parts, "ownership metadata", running(before).metadata(), running(after).metadata());
    return parts.isEmpty() ? "definition" : String.join(", ", parts);
  }

  private static DomainXml.Devices withoutDisks(DomainXml.Devices d) {
    return d == null
        ? null
        : new DomainXml.Devices(
            null, d.interfaces(), d.hostdevs(), d.serials(), d.channels(), d.graphics());
  }

  private static void diff(List<String> parts, String label, Object a, Object b) {
    if (!Objects.equals(a, b)) {
      parts.add(label);
    }
  }
}
