package io.kvmop.machine;

import io.kvmop.api.DiskStatus;
import io.kvmop.api.InterfaceStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.libvirt.DomainState;
import io.kvmop.status.Blocker;
import java.util.List;
import java.util.Optional;

/** What this node found for a machine after acting: the input of its status. */
public record MachineOutcome(
    MachineNaming naming,
    Optional<DomainState> domain,
    Blocker blocker,
    String virtType,
    String kvmUnusable,
    Blocker networkProblem,
    List<InterfaceStatus> interfaces,
    boolean shuttingDown,
    String restartRequired,
    Boolean agentConnected,
    String redefined,
    Blocker diskProblem,
    List<DiskStatus> disks,
    String cloudInitInstanceId) {

  /**
   * A pass that failed before it could look at the domain (libvirt unreachable, a bug): the
   * blocker, and what the machine's last status said of its interfaces and disks.
   */
  static MachineOutcome failed(
      KvmMachine m, MachineNaming naming, String virtType, String kvmUnusable, Blocker b) {
    return new MachineOutcome(
        naming,
        Optional.empty(),
        b,
        virtType,
        kvmUnusable,
        null,
        MachineStatusBuilder.interfaces(m, naming),
        false,
        null,
        null,
        null,
        null,
        MachineStatusBuilder.previousDisks(m),
        null);
  }

  public boolean running() {
    return domain.map(DomainState::running).orElse(false);
  }

  public boolean hasAllAddresses() {
    return interfaces.stream().allMatch(i -> !i.ipAddresses.isEmpty());
  }
}
