package io.kvmop.machine;

import io.kvmop.api.MachineRequestStatus;
import io.kvmop.api.RunStrategy;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.status.Blocker;
import io.kvmop.status.Reasons;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides what to do with one KvmMachine's domain on its node, from the declared domain and what
 * libvirt shows. Pure: no I/O. Run strategies follow KubeVirt: Always restarts whatever stopped the
 * guest; RerunOnFailure restarts unless the guest shut itself down; Manual never starts or stops;
 * Halted shuts down gracefully and destroys after the shutdown timeout.
 */
public final class MachinePlanner {
  private MachinePlanner() {}

  /**
   * @param blocker why the machine cannot be defined as declared (its spec, the host, its disks)
   * @param waitingFor a network the machine waits for (shown as its network's problem, not as the
   *     machine's blocker); nothing is defined meanwhile
   * @param request the machine's power request (the annotation), null for none
   * @param lastAnswer the last answer given to it (this node's memory, else the status)
   */
  public record Input(
      String uid,
      String domainName,
      DomainXml desired,
      Blocker blocker,
      Blocker waitingFor,
      RunStrategy strategy,
      Optional<DomainState> current,
      boolean agentConnected,
      Instant shutdownRequestedAt,
      Blocker startRefused,
      Instant now,
      Duration shutdownTimeout,
      String request,
      MachineRequestStatus lastAnswer) {

    /** No network to wait for and no power request. */
    public Input(
        String uid,
        String domainName,
        DomainXml desired,
        Blocker blocker,
        RunStrategy strategy,
        Optional<DomainState> current,
        boolean agentConnected,
        Instant shutdownRequestedAt,
        Blocker startRefused,
        Instant now,
        Duration shutdownTimeout) {
      this(
          uid,
          domainName,
          desired,
          blocker,
          null,
          strategy,
          current,
          agentConnected,
          shutdownRequestedAt,
          startRefused,
          now,
          shutdownTimeout,
          null,
          null);
    }
  }

  public static boolean owns(DomainState s, String uid) {
    return s.uuid() != null && s.uuid().equalsIgnoreCase(uid);
  }

  /**
   * The domain's plan, with the machine's power request decided on it: a request is refused while
   * the machine is blocked or waits for a network, else its steps join the plan's.
   */
  public static MachinePlan plan(Input in) {
    MachinePlan domain = planDomain(in);
    Blocker blocked = domain.blocker() != null ? domain.blocker() : in.waitingFor();
    PowerRequests.Decision power =
        PowerRequests.decide(
            new PowerRequests.Input(
                in.request(),
                in.lastAnswer(),
                in.strategy(),
                in.domainName(),
                in.current(),
                blocked,
                in.agentConnected(),
                in.shutdownRequestedAt(),
                in.shutdownTimeout(),
                in.now()));
    return power.applyTo(domain);
  }

  private static MachinePlan planDomain(Input in) {
    DomainState cur = in.current().orElse(null);
    if (cur != null && !owns(cur, in.uid())) {
      return MachinePlan.blocked(nameConflict(cur));
    }
    if (in.blocker() != null) {
      return MachinePlan.blocked(in.blocker());
    }
    if (in.waitingFor() != null) {
      return MachinePlan.blocked(null); // nothing is defined before its networks are there
    }
    List<MachineAction> actions = new ArrayList<>();
    String name = in.domainName();
    if (cur == null || !cur.persistent() || !MachineDrift.asDeclared(cur.config(), in.desired())) {
      actions.add(new MachineAction.Define(in.desired()));
    }
    boolean running = cur != null && cur.running();
    boolean shutdownRequested = false;
    Duration recheck = null;
    Blocker blocker = null;
    switch (in.strategy()) {
      case Always, RerunOnFailure -> {
        boolean start =
            !running
                && (in.strategy() == RunStrategy.Always || cur == null || !cur.shutDownByGuest());
        if (start && in.startRefused() != null) {
          blocker = in.startRefused(); // defined, not started: the node has no room for it
        } else if (start) {
          actions.add(new MachineAction.Start(name));
        }
      }
      case Manual -> {}
      case Halted -> {
        if (running) {
          Stop stop = stop(in, name);
          actions.addAll(stop.actions);
          shutdownRequested = stop.requested;
          recheck = stop.recheck;
        }
      }
    }
    String restart = null;
    if (running
        && in.strategy() != RunStrategy.Halted
        && cur.live() != null
        && !MachineDrift.startedAsDeclared(cur.live(), in.desired())) {
      restart = MachineDrift.describeRunning(cur.live(), in.desired());
    }
    return new MachinePlan(List.copyOf(actions), blocker, restart, shutdownRequested, recheck);
  }

  private record Stop(List<MachineAction> actions, boolean requested, Duration recheck) {}

  /** Graceful shutdown first; destroy once the timeout has passed since it was asked for. */
  private static Stop stop(Input in, String name) {
    if (in.shutdownRequestedAt() == null) {
      return new Stop(
          List.of(new MachineAction.Shutdown(name, in.agentConnected())),
          true,
          in.shutdownTimeout());
    }
    Instant deadline = in.shutdownRequestedAt().plus(in.shutdownTimeout());
    if (!in.now().isBefore(deadline)) {
      return new Stop(List.of(new MachineAction.Destroy(name)), false, null);
    }
    return new Stop(List.of(), false, Duration.between(in.now(), deadline));
  }

  /** On deletion: shut down gracefully, destroy after the timeout, undefine; only what is ours. */
  public static MachinePlan planDeletion(Input in) {
    DomainState cur = in.current().orElse(null);
    if (cur == null) {
      return new MachinePlan(List.of(), null, null, false, null);
    }
    if (!owns(cur, in.uid())) {
      return new MachinePlan(List.of(), nameConflict(cur), null, false, null);
    }
    if (cur.running()) {
      Stop stop = stop(in, in.domainName());
      List<MachineAction> actions = new ArrayList<>(stop.actions);
      if (actions.stream().anyMatch(a -> a instanceof MachineAction.Destroy)) {
        actions.add(new MachineAction.Undefine(in.domainName()));
      }
      return new MachinePlan(List.copyOf(actions), null, null, stop.requested, stop.recheck);
    }
    return new MachinePlan(
        cur.persistent() ? List.of(new MachineAction.Undefine(in.domainName())) : List.of(),
        null,
        null,
        false,
        null);
  }

  private static Blocker nameConflict(DomainState other) {
    return new Blocker(
        Reasons.NAME_CONFLICT,
        "libvirt domain '"
            + other.name()
            + "' exists with UUID "
            + other.uuid()
            + " and is not this machine's, so kvmop leaves it untouched; rename or remove it"
            + " (virsh undefine), or give this KvmMachine another name");
  }
}
