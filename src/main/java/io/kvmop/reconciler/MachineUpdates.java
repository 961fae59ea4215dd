package io.kvmop.reconciler;

import io.kvmop.api.KvmMachine;
import io.kvmop.machine.PowerRequests;
import java.util.Objects;

/**
 * Which updates of a machine wake the node's machine controller: what JOSDK's generation-aware
 * filter lets through (a new generation, a deletion, the controller's finalizer just applied), and
 * a new power request (an annotation, which raises no generation), and the controller's finalizer
 * removed by someone else (it is put back at once, so that a deletion still removes the domain).
 * Not the agent's own status writes: those would double every pass.
 */
public final class MachineUpdates {
  private MachineUpdates() {}

  public static boolean matter(KvmMachine now, KvmMachine before, String finalizer) {
    return generation(now) > generation(before)
        || now.isMarkedForDeletion()
        || (now.hasFinalizer(finalizer) != before.hasFinalizer(finalizer))
        || !Objects.equals(PowerRequests.requestOf(now), PowerRequests.requestOf(before));
  }

  private static long generation(KvmMachine m) {
    Long g = m.getMetadata().getGeneration();
    return g == null ? 0 : g;
  }
}
