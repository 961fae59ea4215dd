package io.kvmop.machine;

import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Makes a declared change to a running machine live where libvirt and the guest allow it (see
 * {@link HotChanges}), instead of waiting for its next boot; records it in the running domain's
 * owner mark, so that the domain counts as started from the declared definition. A change libvirt
 * refuses is not tried again for the same definition: RestartRequired then says why.
 */
final class LiveUpdater {
  private final LibvirtPort libvirt;

  /** By machine uid: the definition hash whose live change failed, and why. */
  private final Map<String, String[]> failed = new ConcurrentHashMap<>();

  LiveUpdater(LibvirtPort libvirt) {
    this.libvirt = libvirt;
  }

  /** What is still pending a restart (null: nothing), and what was done. */
  record Result(String restartRequired, List<Happened> done) {}

  /**
   * @param restart what differs between the running domain and the declared one, as the planner
   *     described it
   */
  Result update(String uid, Optional<DomainState> after, DomainXml desired, String restart) {
    DomainState d = after.orElse(null);
    if (d == null || !d.running() || d.live() == null || desired.owner() == null) {
      return new Result(restart, List.of());
    }
    DomainXml.Owner running = d.live().owner();
    DomainXml.Owner wanted = desired.owner();
    if (running == null || running.fixed() == null || !running.fixed().equals(wanted.fixed())) {
      return new Result(restart, List.of()); // something only a restart changes
    }
    String[] f = failed.get(uid);
    if (f != null && f[0].equals(wanted.definition())) {
      return new Result(restart + "; making it live failed: " + f[1], List.of());
    }
    Optional<List<HotChanges.Change>> changes = HotChanges.between(d.live(), desired);
    if (changes.isEmpty()) {
      return new Result(restart, List.of());
    }
    String domain = d.name();
    try {
      for (HotChanges.Change c : changes.get()) {
        apply(domain, c);
      }
      libvirt.live().mark(domain, wanted);
    } catch (LibvirtError e) {
      String why = e.operation() + " (" + e.code() + "): " + e.libvirtMessage();
      failed.put(uid, new String[] {wanted.definition(), why});
      return new Result(
          restart + "; making it live failed: " + why,
          List.of(
              new Happened(
                  Reasons.LIVE_CHANGE_FAILED,
                  "could not change the running machine ("
                      + why
                      + "); the change waits for a"
                      + " restart")));
    }
    failed.remove(uid);
    String what =
        changes.get().stream().map(HotChanges.Change::describe).collect(Collectors.joining(", "));
    return new Result(
        null,
        List.of(
            new Happened(
                Reasons.UPDATED_LIVE,
                what.isEmpty()
                    ? "the running machine carries the declared definition"
                    : "changed the running machine without a restart: " + what)));
  }

  private void apply(String domain, HotChanges.Change c) {
    var live = libvirt.live();
    if (c instanceof HotChanges.Memory m) {
      live.setMemory(domain, m.toKib());
    } else if (c instanceof HotChanges.Vcpus v) {
      live.setVcpus(domain, v.to());
    } else if (c instanceof HotChanges.AttachDisk a) {
      live.attach(domain, a.disk());
    } else if (c instanceof HotChanges.DetachDisk x) {
      live.detach(domain, x.disk());
    } else if (c instanceof HotChanges.AttachInterface a) {
      live.attach(domain, a.nic());
    } else if (c instanceof HotChanges.DetachInterface x) {
      live.detach(domain, x.nic());
    }
  }

  void forget(String uid) {
    failed.remove(uid);
  }
}
