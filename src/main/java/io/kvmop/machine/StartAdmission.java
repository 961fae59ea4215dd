package io.kvmop.machine;

import io.kvmop.api.KvmMachine;
import java.util.Optional;

/**
 * Whether a machine may hold its node's CPUs and memory to run (the node's ledger in a cluster):
 * empty when it may (or holds already, or does not want to run), else why not.
 */
@FunctionalInterface
public interface StartAdmission {
  /** Standalone mode: the admin's own manifests, no capacity ledger. */
  StartAdmission ANY = (m, running) -> Optional.empty();

  Optional<String> admit(KvmMachine m, boolean domainRunning);
}
