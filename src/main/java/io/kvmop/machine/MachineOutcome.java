package io.kvmop.machine;

import io.kvmop.api.DiskStatus;
import io.kvmop.api.InterfaceStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.libvirt.DomainState;
import io.kvmop.status.Blocker;
import java.util.List;
import java.util.Optional;

/**
 * What this node found for a machine after acting, the input of its status: the domain, the blocker
 * shown (null: none), how the host runs it, the guest as seen, and its storage.
 */
public record MachineOutcome(
    MachineNaming naming,
    Optional<DomainState> domain,
    Blocker blocker,
    OnHost host,
    Guest guest,
    Storage storage) {

  /** How this node runs the machine: its virt type, and why KVM is unusable here (null: it is). */
  public record OnHost(String virtType, String kvmUnusable) {}

  /**
   * The guest as this pass saw it: its interfaces with their addresses, the network it waits for
   * (null: none), whether its guest agent answers (null: none asked for), whether a graceful
   * shutdown is under way, what waits for a restart, and the hand edit just repaired (null: none).
   */
  public record Guest(
      List<InterfaceStatus> interfaces,
      Blocker waitingFor,
      Boolean agentConnected,
      boolean shuttingDown,
      String restartRequired,
      String redefined) {}

  /** Its disks as provisioned, why provisioning stopped (null: it did not), its seed's id. */
  public record Storage(Blocker problem, List<DiskStatus> disks, String cloudInitInstanceId) {}

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
        new OnHost(virtType, kvmUnusable),
        new Guest(MachineStatusBuilder.interfaces(m, naming), null, null, false, null, null),
        new Storage(null, previousDisks(m), null));
  }

  /** The disks the last status reported, for passes that could not look at them. */
  static List<DiskStatus> previousDisks(KvmMachine m) {
    return m.getStatus() == null ? null : m.getStatus().disks;
  }

  public boolean running() {
    return domain.map(DomainState::running).orElse(false);
  }

  public boolean hasAllAddresses() {
    return guest.interfaces().stream().allMatch(i -> !i.ipAddresses.isEmpty());
  }
}
