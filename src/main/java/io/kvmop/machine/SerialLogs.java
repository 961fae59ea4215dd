package io.kvmop.machine;

import io.kvmop.api.KvmMachine;
import io.kvmop.status.Blocker;
import io.kvmop.status.Reasons;
import java.util.Optional;

/**
 * A machine's serial console file on the node: its directory made before a start, removed with it.
 */
final class SerialLogs {
  private SerialLogs() {}

  /** The serial log's directory must exist before libvirt starts the domain. */
  static Optional<Blocker> prepare(KvmMachine m, MachineNaming naming, MachinePlan plan) {
    if (Boolean.FALSE.equals(m.getSpec().serialLog)
        || plan.actions().stream().noneMatch(a -> a instanceof MachineAction.Start)) {
      return Optional.empty();
    }
    java.nio.file.Path dir = java.nio.file.Path.of(naming.serialLogPath()).getParent();
    try {
      java.nio.file.Files.createDirectories(dir);
      return Optional.empty();
    } catch (java.io.IOException | SecurityException e) {
      return Optional.of(
          new Blocker(
              Reasons.HOST_ERROR,
              "cannot create the serial log directory "
                  + dir
                  + ": "
                  + e.getMessage()
                  + "; mount it into the agent or set spec.serialLog false"));
    }
  }

  static void delete(MachineNaming naming) {
    try {
      java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(naming.serialLogPath()));
    } catch (java.io.IOException e) {
      // the log is diagnostics only; a leftover file never blocks deletion
    }
  }
}
