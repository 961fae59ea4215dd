package io.kvmop.machine;

import io.kvmop.api.KvmMachine;
import io.kvmop.libvirt.DomainState;
import io.kvmop.status.Blocker;
import io.kvmop.status.Progress;
import io.kvmop.status.Reasons;
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

  /**
   * The machine is refused (its spec, a network it may not use, an image it may not fetch) and its
   * domain does not run: it gives back what it held until it is admitted again.
   */
  default void refused(KvmMachine m) {}

  /**
   * Why the node has no room for the machine to start, as a Blocker; empty when it has (or need
   * not). A machine refused for what no wait fixes ({@code refused}), whose domain does not run,
   * holds nothing instead: what kvmop refuses never keeps other machines off the node.
   */
  static Optional<Blocker> refusal(
      StartAdmission admission,
      KvmMachine m,
      Optional<Blocker> refused,
      Optional<DomainState> current,
      String node) {
    boolean running = current.map(DomainState::running).orElse(false);
    if (refused.isPresent() && !running && Progress.NEEDS_HUMAN.contains(refused.get().reason())) {
      admission.refused(m);
      return Optional.empty();
    }
    return admission
        .admit(m, running)
        .map(
            why ->
                new Blocker(
                    Reasons.INSUFFICIENT_CAPACITY,
                    "not started: node "
                        + node
                        + " has no room ("
                        + why
                        + "); Halted machines hold nothing, so stop or delete another machine"
                        + " there, or raise the KvmHost's allocation ratios"));
  }
}
