package io.kvmop.machine;

import io.kvmop.api.Quantities;
import io.kvmop.libvirt.xml.DomainXml;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which differences between a running domain and the declared one can be made live, and how: the
 * balloon's memory, the vCPU count, disks (by target) and interfaces (by MAC) added or removed.
 * Pure. Empty when anything else differs (then only a restart brings the domain to what is
 * declared): the caller checks first that the owner marks' fixed hashes agree.
 */
public final class HotChanges {
  private HotChanges() {}

  /** One change to a running domain. */
  public sealed interface Change {
    /** For events and status: what changed, as a user reads it. */
    String describe();
  }

  public record Memory(long fromKib, long toKib) implements Change {
    @Override
    public String describe() {
      return "memory " + Quantities.humanKib(fromKib) + " -> " + Quantities.humanKib(toKib);
    }
  }

  public record Vcpus(int from, int to) implements Change {
    @Override
    public String describe() {
      return "vCPUs " + from + " -> " + to;
    }
  }

  public record AttachDisk(DomainXml.Disk disk) implements Change {
    @Override
    public String describe() {
      var src = disk.source();
      String from =
          src == null
              ? "no source"
              : src.file() != null ? src.file() : src.protocol() + ":" + src.name();
      return "disk " + disk.target().dev() + " attached (" + from + ")";
    }
  }

  public record DetachDisk(DomainXml.Disk disk) implements Change {
    @Override
    public String describe() {
      return "disk " + disk.target().dev() + " detached";
    }
  }

  public record AttachInterface(DomainXml.Interface nic) implements Change {
    @Override
    public String describe() {
      return "interface " + nic.mac().address() + " attached (network " + network(nic) + ")";
    }
  }

  public record DetachInterface(DomainXml.Interface nic) implements Change {
    @Override
    public String describe() {
      return "interface " + nic.mac().address() + " detached";
    }
  }

  private static String network(DomainXml.Interface nic) {
    return nic.source() == null ? "?" : nic.source().network();
  }

  /**
   * The changes that bring the running domain to the declared one; empty when something differs
   * that cannot change live (a disk replaced in place, the maximum memory or vCPUs).
   */
  public static Optional<List<Change>> between(DomainXml live, DomainXml desired) {
    if (!Objects.equals(live.memory(), desired.memory())
        || live.vcpu() == null
        || desired.vcpu() == null
        || live.vcpu().value != desired.vcpu().value) {
      return Optional.empty();
    }
    List<Change> changes = new ArrayList<>();
    long memNow = live.memoryNow().value;
    long memWanted = desired.memoryNow().value;
    if (!Objects.equals(live.memoryNow().unit, desired.memoryNow().unit)) {
      return Optional.empty();
    }
    if (memNow != memWanted) {
      changes.add(new Memory(memNow, memWanted));
    }
    if (live.vcpu().now() != desired.vcpu().now()) {
      changes.add(new Vcpus(live.vcpu().now(), desired.vcpu().now()));
    }
    List<DomainXml.Disk> liveDisks = devices(live, DomainXml.Devices::disks);
    List<DomainXml.Disk> wantedDisks = devices(desired, DomainXml.Devices::disks);
    if (!compare(
        liveDisks, wantedDisks, HotChanges::diskKey, changes, DetachDisk::new, AttachDisk::new)) {
      return Optional.empty();
    }
    if (!compare(
        devices(live, DomainXml.Devices::interfaces),
        devices(desired, DomainXml.Devices::interfaces),
        n -> n.mac() == null ? null : n.mac().address(),
        changes,
        DetachInterface::new,
        AttachInterface::new)) {
      return Optional.empty();
    }
    return Optional.of(List.copyOf(changes));
  }

  /**
   * A writable disk is known by its target (the guest's name for it); a read-only one (the
   * cloud-init seed) by its file, so that it may move to another target when a disk is added before
   * it: detached and attached again, which a read-only disk the guest only read at boot allows. A
   * seed of new content is never swapped in: cloud-init reads it at the next boot, so that change
   * says RestartRequired.
   */
  private static String diskKey(DomainXml.Disk d) {
    if (d.readonly() != null) {
      return d.source() == null ? null : "ro:" + d.source().file();
    }
    return d.target() == null ? null : d.target().dev();
  }

  private static boolean readOnly(Object device) {
    return device instanceof DomainXml.Disk d && d.readonly() != null;
  }

  private static <T> List<T> devices(DomainXml d, Function<DomainXml.Devices, List<T>> which) {
    return d.devices() == null || which.apply(d.devices()) == null
        ? List.of()
        : which.apply(d.devices());
  }

  /**
   * Devices matched by key: those only running are detached, those only declared attached; false
   * when a device of one key differs (it cannot be changed in place) or has no key.
   */
  private static <T> boolean compare(
      List<T> live,
      List<T> wanted,
      Function<T, String> key,
      List<Change> changes,
      Function<T, Change> detach,
      Function<T, Change> attach) {
    Map<String, T> running = new LinkedHashMap<>();
    for (T d : live) {
      if (key.apply(d) == null) {
        return false;
      }
      running.put(key.apply(d), d);
    }
    Map<String, T> declared = new LinkedHashMap<>();
    for (T d : wanted) {
      if (key.apply(d) == null) {
        return false;
      }
      declared.put(key.apply(d), d);
    }
    List<Change> attaches = new ArrayList<>();
    for (var e : running.entrySet()) {
      T w = declared.get(e.getKey());
      if (w == null && readOnly(e.getValue())) {
        return false; // a seed replaced by one of new content: read at the next boot only
      }
      if (w == null) {
        changes.add(detach.apply(e.getValue()));
      } else if (!w.equals(e.getValue())) {
        if (!readOnly(w) || !readOnly(e.getValue())) {
          return false; // a disk the guest may write, or an interface, is never swapped under it
        }
        changes.add(detach.apply(e.getValue()));
      }
    }
    for (var e : declared.entrySet()) {
      T r = running.get(e.getKey());
      if (r == null && readOnly(e.getValue())) {
        return false;
      }
      if (r == null || !r.equals(e.getValue())) {
        attaches.add(attach.apply(e.getValue()));
      }
    }
    changes.addAll(attaches);
    return true;
  }
}
