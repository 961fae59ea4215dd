package io.kvmop.machine;

import io.kvmop.api.GraphicsStatus;
import io.kvmop.api.InterfaceStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.MachinePhase;
import io.kvmop.api.RunStrategy;
import io.kvmop.libvirt.DomainState;
import io.kvmop.status.ConditionTypes;
import io.kvmop.status.Conditions;
import io.kvmop.status.Progress;
import io.kvmop.status.Reasons;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** Builds a KvmMachine's status from what its node found, conditions kstatus-style. */
public final class MachineStatusBuilder {
  public static final String RUNNING = ConditionTypes.RUNNING;
  public static final String NETWORK_READY = ConditionTypes.NETWORK_READY;
  public static final String IP_ASSIGNED = ConditionTypes.IP_ASSIGNED;
  public static final String KVM_AVAILABLE = ConditionTypes.KVM_AVAILABLE;
  public static final String RESTART_REQUIRED = ConditionTypes.RESTART_REQUIRED;
  public static final String AGENT_CONNECTED = ConditionTypes.AGENT_CONNECTED;
  public static final String SCHEDULED = ConditionTypes.SCHEDULED;
  public static final String REDEFINED = ConditionTypes.REDEFINED;
  public static final String PROVISIONED = ConditionTypes.PROVISIONED;
  private static final Set<String> HARD =
      Set.of(
          Reasons.INVALID_SPEC,
          Reasons.UNREADABLE,
          Reasons.NAME_CONFLICT,
          Reasons.KVM_UNAVAILABLE,
          Reasons.INVALID_IMAGE,
          Reasons.IMAGE_PATH_REFUSED,
          Reasons.IMAGE_CHECKSUM_MISMATCH);

  private MachineStatusBuilder() {}

  public static KvmMachineStatus build(
      KvmMachine m, String node, MachineOutcome o, Duration ipWait, Instant now) {
    KvmMachineStatus old = m.getStatus();
    long gen = m.getMetadata().getGeneration() == null ? 0 : m.getMetadata().getGeneration();
    KvmMachineStatus s = new KvmMachineStatus();
    s.observedGeneration = gen;
    s.nodeName = node;
    s.domainName = o.naming().domainName();
    boolean ours =
        o.domain().isPresent()
            && (o.blocker() == null || !Reasons.NAME_CONFLICT.equals(o.blocker().reason()));
    s.domainUUID = ours ? o.domain().get().uuid() : null;
    s.virtType = o.host().virtType();
    s.interfaces = o.guest().interfaces();
    s.ipAddresses = o.guest().interfaces().stream().flatMap(i -> i.ipAddresses.stream()).toList();
    s.serialLogPath =
        Boolean.FALSE.equals(m.getSpec().serialLog) ? null : o.naming().serialLogPath();
    s.disks = o.storage().disks();
    s.graphics = graphics(o);
    s.failover = old == null ? null : old.failover;
    s.cloudInitInstanceId =
        o.storage().cloudInitInstanceId() != null
            ? o.storage().cloudInitInstanceId()
            : old == null ? null : old.cloudInitInstanceId;
    Conditions c = new Conditions(old == null ? null : old.conditions, gen, now);
    placedAndReady(c, m, o, node);
    boolean running = ours && o.running();
    String domainState = o.domain().map(d -> d.describe()).orElse("not defined");
    c.set(
        RUNNING,
        running,
        running
            ? Reasons.RUNNING
            : o.guest().shuttingDown() ? Reasons.SHUTTING_DOWN : Reasons.NOT_RUNNING,
        "domain " + o.naming().domainName() + " is " + domainState);
    ipCondition(c, m, o, running, ipWait, now, old);
    restartAndAgent(c, m, o);
    redefined(c, o, old, gen);
    ready(c, m, o, running, now);
    s.conditions = c.build();
    s.phase = phase(m, o, running);
    return s;
  }

  /** Scheduled, Provisioned, KVMAvailable and NetworkReady: what the domain depends on. */
  private static void placedAndReady(Conditions c, KvmMachine m, MachineOutcome o, String node) {
    var failover = m.getStatus() == null ? null : m.getStatus().failover;
    if (m.getSpec().nodeName != null) {
      c.set(SCHEDULED, true, Reasons.NODE_NAME, "on node " + node + ", as spec.nodeName says");
    } else if (failover != null && failover.fromNode != null && !failover.fromNode.equals(node)) {
      c.set(
          SCHEDULED,
          true,
          Reasons.FAILED_OVER,
          "restarted on node "
              + node
              + " after node "
              + failover.fromNode
              + " failed ("
              + failover.reason
              + ")"
              + (failover.fenced == null || failover.fenced.isEmpty()
                  ? ""
                  : "; its old writers were cut off: " + String.join(", ", failover.fenced)));
    } else {
      c.set(SCHEDULED, true, Reasons.PLACED, "placed on node " + node + ", which fits it");
    }
    provisioned(c, m, o);
    if (o.host().kvmUnusable() == null) {
      c.set(
          KVM_AVAILABLE,
          true,
          Reasons.KVM_USABLE,
          "the node runs KVM guests with hardware virtualization");
    } else {
      c.set(
          KVM_AVAILABLE,
          false,
          Reasons.KVM_UNUSABLE,
          o.host().kvmUnusable() + "; machines run under qemu (software emulation) here");
    }
    if (o.guest().waitingFor() == null) {
      c.set(
          NETWORK_READY,
          true,
          Reasons.READY,
          o.guest().interfaces().isEmpty()
              ? "no interfaces"
              : "every interface's network is active on " + node);
    } else {
      c.set(
          NETWORK_READY, false, o.guest().waitingFor().reason(), o.guest().waitingFor().message());
    }
  }

  /** RestartRequired, and AgentConnected when the spec asks for the guest agent. */
  private static void restartAndAgent(Conditions c, KvmMachine m, MachineOutcome o) {
    c.set(
        RESTART_REQUIRED,
        o.guest().restartRequired() != null,
        o.guest().restartRequired() != null ? Reasons.DEFINITION_CHANGED : Reasons.UP_TO_DATE,
        o.guest().restartRequired() != null
            ? "the running domain differs from the declared one ("
                + o.guest().restartRequired()
                + "); it applies at the machine's next boot: kvmop restart "
                + m.getMetadata().getName()
                + (m.getMetadata().getNamespace() == null
                        || "default".equals(m.getMetadata().getNamespace())
                    ? ""
                    : " -n " + m.getMetadata().getNamespace())
                + " (or shut the guest down: runStrategy Always starts it again)"
            : "the running domain matches the declared one");
    if (Boolean.TRUE.equals(m.getSpec().guestAgent)) {
      boolean agent = Boolean.TRUE.equals(o.guest().agentConnected());
      c.set(
          AGENT_CONNECTED,
          agent,
          agent ? Reasons.CONNECTED : Reasons.NOT_CONNECTED,
          agent
              ? "qemu-guest-agent answers"
              : "no qemu-guest-agent answers on the channel (not installed or not started in the guest)");
    }
  }

  private static void ipCondition(
      Conditions c,
      KvmMachine m,
      MachineOutcome o,
      boolean running,
      Duration ipWait,
      Instant now,
      KvmMachineStatus old) {
    if (o.guest().interfaces().isEmpty()) {
      c.set(IP_ASSIGNED, false, Reasons.NO_INTERFACES, "the machine has no network interface");
      return;
    }
    if (!running) {
      c.set(IP_ASSIGNED, false, Reasons.NOT_RUNNING, "addresses are read while the machine runs");
      return;
    }
    if (o.hasAllAddresses()) {
      InterfaceStatus first = o.guest().interfaces().get(0);
      c.set(
          IP_ASSIGNED,
          true,
          first.source == null ? Reasons.LEASE : capitalize(first.source),
          "addresses: "
              + String.join(
                  ", ",
                  o.guest().interfaces().stream().flatMap(i -> i.ipAddresses.stream()).toList()));
      return;
    }
    missingAddress(c, m, o, Duration.between(runningSince(old, now), now), ipWait);
  }

  /** Running without an address: still waiting, or past ipWaitTimeout with the likely causes. */
  private static void missingAddress(
      Conditions c, KvmMachine m, MachineOutcome o, Duration running, Duration ipWait) {
    InterfaceStatus missing =
        o.guest().interfaces().stream()
            .filter(i -> i.ipAddresses.isEmpty())
            .findFirst()
            .orElseThrow();
    if (running.compareTo(ipWait) < 0) {
      c.set(
          IP_ASSIGNED,
          false,
          Reasons.WAITING_FOR_IP,
          "waiting for a DHCP lease for "
              + missing.name
              + " ("
              + missing.mac
              + ") on "
              + missing.network);
      return;
    }
    c.set(
        IP_ASSIGNED,
        false,
        Reasons.NO_IP_ADDRESS,
        "no address for "
            + missing.name
            + " ("
            + missing.mac
            + ") on network "
            + missing.network
            + " after "
            + ipWait.toSeconds()
            + "s; likely causes: no DHCP client running in the guest"
            + " (or not on this interface), the interface attached to the wrong network, a firewall"
            + " in the guest dropping DHCP; the serial log"
            + (m.getStatus() != null && m.getStatus().serialLogPath != null
                ? " at " + m.getStatus().serialLogPath
                : "")
            + " shows what the guest did. kvmop keeps watching.");
  }

  /** Whether the machine's disks and seed are on the node. */
  private static void provisioned(Conditions c, KvmMachine m, MachineOutcome o) {
    boolean any =
        (m.getSpec().disks != null && !m.getSpec().disks.isEmpty())
            || m.getSpec().cloudInit != null;
    if (o.storage().problem() != null) {
      c.set(PROVISIONED, false, o.storage().problem().reason(), o.storage().problem().message());
    } else if (!any) {
      c.set(PROVISIONED, true, Reasons.NO_DISKS, "the machine has no disks to provision");
    } else if (o.storage().disks() != null) {
      c.set(
          PROVISIONED,
          true,
          "Provisioned",
          o.storage().disks().stream()
              .map(d -> d.name + " at " + d.path)
              .reduce((a, b) -> a + ", " + b)
              .orElse("no disks"));
    }
  }

  /** A repaired hand edit stays reported until the spec changes. */
  private static void redefined(Conditions c, MachineOutcome o, KvmMachineStatus old, long gen) {
    if (o.guest().redefined() != null) {
      c.set(REDEFINED, true, Reasons.CHANGED_OUTSIDE_KVMOP, o.guest().redefined());
      return;
    }
    if (old != null && old.observedGeneration != null && old.observedGeneration == gen) {
      Conditions.find(old.conditions, REDEFINED)
          .ifPresent(r -> c.set(REDEFINED, true, r.getReason(), r.getMessage()));
    }
  }

  /** When the machine was last seen starting to run: the Running condition's transition time. */
  static Instant runningSince(KvmMachineStatus old, Instant now) {
    if (old == null) {
      return now;
    }
    return Conditions.find(old.conditions, RUNNING)
        .filter(r -> Conditions.TRUE.equals(r.getStatus()) && r.getLastTransitionTime() != null)
        .map(r -> Instant.parse(r.getLastTransitionTime()))
        .orElse(now);
  }

  /**
   * Ready: the machine is as declared, for the current generation. Running with its addresses; or
   * stopped where its runStrategy says stopped is right (Halted; Manual; RerunOnFailure after the
   * guest shut itself down). Then Reconciling or Stalled while it is not.
   */
  private static void ready(
      Conditions c, KvmMachine m, MachineOutcome o, boolean running, Instant now) {
    RunStrategy strategy = m.getSpec().runStrategyOrDefault();
    if (o.blocker() != null) {
      c.set(Conditions.READY, false, o.blocker().reason(), o.blocker().message());
    } else if (o.guest().waitingFor() != null) {
      c.set(
          Conditions.READY,
          false,
          o.guest().waitingFor().reason(),
          o.guest().waitingFor().message());
    } else if (strategy == RunStrategy.Halted) {
      if (running) {
        c.set(
            Conditions.READY,
            false,
            Reasons.SHUTTING_DOWN,
            "shutting down, as runStrategy Halted declares");
      } else {
        c.set(Conditions.READY, true, "Halted", "stopped, as runStrategy Halted declares");
      }
    } else if (o.domain().map(d -> d.state() == DomainState.RunState.PAUSED).orElse(false)) {
      c.set(
          Conditions.READY,
          true,
          "Paused",
          "paused, as requested; kvmop unpause " + m.getMetadata().getName() + " resumes it");
    } else if (running && o.hasAllAddresses()) {
      c.set(
          Conditions.READY,
          true,
          "Running",
          "running on "
              + o.host().virtType()
              + (o.guest().interfaces().isEmpty()
                  ? ""
                  : " with "
                      + String.join(
                          ", ",
                          o.guest().interfaces().stream()
                              .flatMap(i -> i.ipAddresses.stream())
                              .toList())));
    } else if (running) {
      c.set(Conditions.READY, false, Reasons.WAITING_FOR_IP, "running; waiting for its IP address");
    } else if (strategy == RunStrategy.Manual) {
      c.set(
          Conditions.READY,
          true,
          "Stopped",
          "defined and stopped, which runStrategy Manual allows; start it with virsh start "
              + o.naming().domainName());
    } else if (strategy == RunStrategy.RerunOnFailure
        && o.domain().map(d -> d.shutDownByGuest()).orElse(false)) {
      c.set(
          Conditions.READY,
          true,
          "Stopped",
          "the guest shut itself down; runStrategy RerunOnFailure leaves it stopped");
    } else {
      c.set(
          Conditions.READY,
          false,
          "Starting",
          "domain " + o.naming().domainName() + " is starting");
    }
    Progress.fromReady(c);
  }

  private static MachinePhase phase(KvmMachine m, MachineOutcome o, boolean running) {
    if (m.getMetadata().getDeletionTimestamp() != null) {
      return MachinePhase.Terminating;
    }
    if (o.blocker() != null && !running) {
      if (Reasons.DOWNLOADING.equals(o.blocker().reason())) {
        return MachinePhase.Provisioning;
      }
      return HARD.contains(o.blocker().reason()) ? MachinePhase.Failed : MachinePhase.Pending;
    }
    if (o.guest().waitingFor() != null) {
      return MachinePhase.Pending;
    }
    if (o.domain().isEmpty()) {
      return MachinePhase.Provisioning;
    }
    if (running) {
      if (o.guest().shuttingDown()) {
        return MachinePhase.Stopping;
      }
      if (o.domain().map(d -> d.state() == DomainState.RunState.PAUSED).orElse(false)) {
        return MachinePhase.Paused;
      }
      return o.hasAllAddresses() ? MachinePhase.Running : MachinePhase.Starting;
    }
    return MachinePhase.Stopped;
  }

  /** The display of the running domain, from its live definition (libvirt picked the port). */
  private static GraphicsStatus graphics(MachineOutcome o) {
    return o.domain()
        .filter(DomainState::running)
        .map(DomainState::live)
        .map(l -> l.devices() == null ? null : l.devices().graphics())
        .filter(g -> g != null && !g.isEmpty() && g.get(0).port() != null && g.get(0).port() > 0)
        .map(g -> new GraphicsStatus(g.get(0).type(), "127.0.0.1", g.get(0).port()))
        .orElse(null);
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** Interfaces as status lists them, before addresses are known. */
  public static List<InterfaceStatus> interfaces(KvmMachine m, MachineNaming naming) {
    return m.getSpec().interfaces.stream()
        .map(
            i -> {
              InterfaceStatus s = new InterfaceStatus();
              s.name = i.name;
              s.mac = MachineDesign.mac(i, naming);
              s.network = i.network != null ? i.network : i.libvirtNetwork;
              return s;
            })
        .toList();
  }
}
