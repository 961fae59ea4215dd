package io.kvmop.machine;

import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtErrors;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.status.Blocker;
import java.util.List;
import java.util.Optional;

/** Performs a machine plan's actions in order and stops at the first failure, which it explains. */
public final class MachineExecutor {
  private final LibvirtPort libvirt;

  public MachineExecutor(LibvirtPort libvirt) {
    this.libvirt = libvirt;
  }

  /** What was done, in order, and the failure that stopped the rest, if any. */
  public record Outcome(List<MachineAction> done, Optional<Blocker> failure) {}

  public Optional<Blocker> execute(List<MachineAction> actions) {
    return run(actions).failure();
  }

  public Outcome run(List<MachineAction> actions) {
    List<MachineAction> done = new java.util.ArrayList<>();
    for (MachineAction action : actions) {
      try {
        // the pass looks at the domain after these: their events are only echoes
        if (action instanceof MachineAction.Define d) {
          libvirt
              .domains()
              .echoing(d.xml().name(), "DEFINED", () -> libvirt.domains().defineDomain(d.xml()));
        } else if (action instanceof MachineAction.Start s) {
          libvirt
              .domains()
              .echoing(s.name(), "STARTED", () -> libvirt.domains().startDomain(s.name()));
        } else if (action instanceof MachineAction.Shutdown s) {
          libvirt.domains().shutdownDomain(s.name(), s.viaAgent());
        } else if (action instanceof MachineAction.Destroy d) {
          libvirt.domains().destroyDomain(d.name());
        } else if (action instanceof MachineAction.Suspend p) {
          libvirt.domains().suspendDomain(p.name());
        } else if (action instanceof MachineAction.Resume r) {
          libvirt.domains().resumeDomain(r.name());
        } else if (action instanceof MachineAction.Undefine u) {
          libvirt.domains().undefineDomain(u.name());
        }
      } catch (LibvirtError e) {
        LibvirtErrors.Explained x = LibvirtErrors.explain(e);
        return new Outcome(List.copyOf(done), Optional.of(new Blocker(x.reason(), x.message())));
      }
      done.add(action);
    }
    return new Outcome(List.copyOf(done), Optional.empty());
  }
}
