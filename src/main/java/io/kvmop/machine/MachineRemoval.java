package io.kvmop.machine;

import io.kvmop.api.KvmMachine;
import io.kvmop.api.Quantities;
import io.kvmop.api.Unreadable;
import io.kvmop.disk.DiskProvisioner;
import io.kvmop.libvirt.DomainLocks;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.status.Blocker;
import io.kvmop.status.Happened;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A deleted machine leaves its node: graceful shutdown, destroy after its timeout, its volumes
 * (deleted or kept by reclaimPolicy) before its definition, then the definition and the serial log.
 */
final class MachineRemoval {
  private final LibvirtPort libvirt;
  private final MachineExecutor executor;
  private final DiskProvisioner disks;
  private final Clock clock;
  private final MachineMemory memory;
  private final GuestAddresses addresses;
  private final Function<KvmMachine, MachineNaming> naming;
  private final DomainLocks locks;

  MachineRemoval(
      LibvirtPort libvirt,
      MachineExecutor executor,
      DiskProvisioner disks,
      Clock clock,
      MachineMemory memory,
      GuestAddresses addresses,
      Function<KvmMachine, MachineNaming> naming,
      DomainLocks locks) {
    this.libvirt = libvirt;
    this.executor = executor;
    this.disks = disks;
    this.clock = clock;
    this.memory = memory;
    this.addresses = addresses;
    this.naming = naming;
    this.locks = locks;
  }

  /**
   * {@link #remove} under the domain's lock; a domain migrating away is removed once its migration
   * has ended.
   */
  Optional<Duration> removeLocked(KvmMachine m, List<Happened> released) {
    String domain = naming.apply(m).domainName();
    Optional<Duration> wait =
        locks.with(
            domain,
            () -> locks.leaving(domain) ? Optional.of(Duration.ofSeconds(2)) : remove(m, released));
    if (wait.isEmpty()) {
      locks.forget(domain);
    }
    return wait;
  }

  /**
   * On deletion: empty when nothing is left, else how soon to look again; {@code released} gets
   * what happened to the machine's volumes (deleted, or kept by reclaimPolicy Retain).
   */
  Optional<Duration> remove(KvmMachine m, List<Happened> released) {
    if (!Unreadable.problems(m).isEmpty()) {
      // its reclaimPolicy or shutdownTimeout may be what could not be read: hold, lose nothing
      return Optional.of(Duration.ofSeconds(30));
    }
    MachineNaming naming = this.naming.apply(m);
    String uid = m.getMetadata().getUid();
    Instant now = clock.instant();
    MachinePlan plan = plan(m, naming, now);
    // the disks go before the definition: a process killed in between still finds the domain by
    // its mark next time, and with it the volumes (which carry no mark of their own)
    List<MachineAction> undefine =
        plan.actions().stream().filter(a -> a instanceof MachineAction.Undefine).toList();
    List<MachineAction> stop =
        plan.actions().stream().filter(a -> !(a instanceof MachineAction.Undefine)).toList();
    Optional<Blocker> failure = executor.execute(stop);
    if (plan.shutdownRequested() && failure.isEmpty()) {
      memory.shutdownAsked(uid, now);
    }
    if (failure.isPresent()) {
      return Optional.of(Duration.ofSeconds(5));
    }
    released.addAll(MachineEvents.happened(stop, Optional.empty(), null));
    boolean releasedNow = false;
    if (!undefine.isEmpty()) {
      if (!releaseDisks(m, naming, released)) {
        return Optional.of(Duration.ofSeconds(5));
      }
      releasedNow = true;
      if (memory.shutdownAskedAt(uid) != null && stop.isEmpty()) {
        released.add(new Happened("Stopped", "domain " + naming.domainName() + " shut down"));
      }
      if (executor.execute(undefine).isPresent()) {
        return Optional.of(Duration.ofSeconds(5));
      }
      released.add(
          new Happened(
              "Undefined",
              "undefined domain " + naming.domainName() + ": the KvmMachine is being deleted"));
    }
    if (plan.recheckAfter() != null) {
      return Optional.of(plan.recheckAfter());
    }
    boolean gone =
        libvirt
            .domains()
            .findDomain(naming.domainName())
            .map(d -> !MachinePlanner.owns(d, uid))
            .orElse(true);
    if (gone) {
      memory.forget(uid);
      addresses.forget(uid);
      // no domain (any more): what a removal elsewhere left, if anything
      if (!releasedNow && !releaseDisks(m, naming, released)) {
        return Optional.of(Duration.ofSeconds(5));
      }
      return Optional.empty();
    }
    return Optional.of(Duration.ofMillis(500));
  }

  /** Shut down, destroy after the timeout, undefine: as far as the domain has got. */
  private MachinePlan plan(KvmMachine m, MachineNaming naming, Instant now) {
    String uid = m.getMetadata().getUid();
    Optional<DomainState> current = libvirt.domains().findDomain(naming.domainName());
    boolean agent = addresses.agentConnected(m.getSpec(), current, naming);
    return MachinePlanner.planDeletion(
        new MachinePlanner.Input(
            uid,
            naming.domainName(),
            null,
            null,
            m.getSpec().runStrategyOrDefault(),
            current,
            agent,
            memory.shutdownAskedAt(uid),
            null,
            now,
            Quantities.duration(m.getSpec().shutdownTimeout).orElse(Duration.ofSeconds(90))));
  }

  /** Deletes the serial log and the volumes (Delete) or reports them kept (Retain). */
  private boolean releaseDisks(KvmMachine m, MachineNaming naming, List<Happened> released) {
    SerialLogs.delete(naming);
    try {
      disks
          .release(m, naming.domainName())
          .forEach(d -> released.add(new Happened(d.reason(), d.message())));
      return true;
    } catch (LibvirtError e) {
      return false;
    }
  }
}
