package io.kvmop.machine;

import io.kvmop.api.DiskStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.disk.DiskProvisioner;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.status.Happened;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What kvmop did to a machine's domain in a pass, as Kubernetes event texts. */
final class MachineEvents {
  private MachineEvents() {}

  static List<Happened> happened(
      List<MachineAction> done, Optional<DomainState> before, String redefined) {
    List<Happened> h = new ArrayList<>();
    for (MachineAction a : done) {
      if (a instanceof MachineAction.Define d) {
        h.add(
            before.isEmpty()
                ? new Happened("Defined", "defined domain " + d.xml().name())
                : new Happened(
                    "Redefined",
                    redefined != null
                        ? redefined
                        : "redefined domain " + d.xml().name() + " as declared"));
      } else if (a instanceof MachineAction.Start s) {
        String why =
            before.filter(b -> !b.running()).map(b -> " (it was " + b.describe() + ")").orElse("");
        h.add(new Happened("Started", "started domain " + s.name() + why));
      } else if (a instanceof MachineAction.Shutdown s) {
        h.add(
            new Happened(
                "Stopping",
                "asked domain "
                    + s.name()
                    + " to shut down"
                    + (s.viaAgent() ? " through the guest agent" : " (ACPI)")));
      } else if (a instanceof MachineAction.Suspend p) {
        h.add(new Happened("Paused", "paused domain " + p.name()));
      } else if (a instanceof MachineAction.Resume r) {
        h.add(new Happened("Resumed", "resumed domain " + r.name()));
      } else if (a instanceof MachineAction.Destroy d) {
        h.add(
            new Happened(
                "Stopped", "destroyed domain " + d.name() + " after its shutdown timeout"));
      }
    }
    return h;
  }

  /**
   * A new cloud-init seed (its inputs include Secrets, which raise no generation) redefines the
   * domain without anyone having edited it.
   */
  static boolean seedChanged(KvmMachine m, DiskProvisioner.Result storage) {
    if (storage == null || storage.status() == null) {
      return false;
    }
    String now =
        storage.status().stream()
            .filter(d -> DiskProvisioner.CIDATA.equals(d.name))
            .map(d -> d.path)
            .findFirst()
            .orElse(null);
    List<DiskStatus> before = MachineOutcome.previousDisks(m);
    String then =
        before == null
            ? null
            : before.stream()
                .filter(d -> DiskProvisioner.CIDATA.equals(d.name))
                .map(d -> d.path)
                .findFirst()
                .orElse(null);
    return !java.util.Objects.equals(now, then);
  }

  /**
   * When kvmop redefines a domain although the spec did not change since it last reported, the
   * definition was changed outside kvmop (virsh edit, define): say what differed.
   */
  static String driftRepaired(
      KvmMachine m, Optional<DomainState> current, DomainXml desired, MachinePlan plan) {
    boolean specUnchanged =
        m.getStatus() != null
            && m.getStatus().observedGeneration != null
            && m.getStatus().observedGeneration.equals(m.getMetadata().getGeneration());
    if (!specUnchanged
        || current.isEmpty()
        || !current.get().persistent()
        || plan.actions().stream().noneMatch(a -> a instanceof MachineAction.Define)
        // what kvmop itself defined last, untouched: kvmop's own next step (disks it finished
        // provisioning, before or after a restart of kvmop), not an edit outside it
        || MachineDrift.untouched(current.get().config())) {
      return null;
    }
    return "libvirt's definition of "
        + current.get().name()
        + " was changed outside kvmop ("
        + MachineDrift.describe(current.get().config(), desired)
        + ") and was redefined as declared";
  }
}
