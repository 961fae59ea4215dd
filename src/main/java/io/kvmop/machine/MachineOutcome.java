package io.kvmop.machine;

import io.kvmop.api.InterfaceStatus;
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
    List<io.kvmop.api.DiskStatus> disks,
    String cloudInitInstanceId) {

  public boolean running() {
    return domain.map(DomainState::running).orElse(false);
  }

  public boolean hasAllAddresses() {
    return interfaces.stream().allMatch(i -> !i.ipAddresses.isEmpty());
  }
}
