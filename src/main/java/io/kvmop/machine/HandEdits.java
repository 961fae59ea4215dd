package io.kvmop.machine;

import io.kvmop.api.KvmMachine;
import io.kvmop.disk.DiskProvisioner;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.xml.DomainXml;
import java.util.Optional;

/**
 * The hand edits of a domain that kvmop repaired, remembered per machine and generation: the status
 * a pass starts from can lag behind kvmop's own last write, so the Redefined event's text is kept
 * here, not read back from status.
 */
final class HandEdits {
  private final MachineMemory memory;

  HandEdits(MachineMemory memory) {
    this.memory = memory;
  }

  /** What was repaired in this generation (now or in an earlier pass), or null. */
  String note(
      KvmMachine m,
      Optional<DomainState> current,
      DomainXml desired,
      MachinePlan plan,
      DiskProvisioner.Result storage) {
    String uid = m.getMetadata().getUid();
    String redefined =
        MachineEvents.seedChanged(m, storage)
            ? null
            : MachineEvents.driftRepaired(m, current, desired, plan);
    long gen = m.getMetadata().getGeneration() == null ? 0 : m.getMetadata().getGeneration();
    if (redefined != null) {
      memory.repaired(uid, gen, redefined);
      return redefined;
    }
    return memory.repairedIn(uid, gen);
  }
}
