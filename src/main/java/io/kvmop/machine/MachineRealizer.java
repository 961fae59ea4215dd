package io.kvmop.machine;

import io.kvmop.api.InterfaceStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.MachineRequestStatus;
import io.kvmop.api.Quantities;
import io.kvmop.disk.BootFiles;
import io.kvmop.disk.DiskProvisioner;
import io.kvmop.host.HostCheck;
import io.kvmop.host.KvmVerdict;
import io.kvmop.libvirt.DomainLocks;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.machine.MachineAdmission.Networks;
import io.kvmop.status.Blocker;
import io.kvmop.status.Happened;
import io.kvmop.status.Progress;
import io.kvmop.status.Reasons;
import io.kvmop.validation.CrdSchemas;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One KvmMachine on this node: validate, resolve networks, observe, plan, apply, observe again,
 * read addresses, report. Knows nothing of Kubernetes beyond the resource itself.
 */
public final class MachineRealizer {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(MachineRealizer.class);

  private final String node;
  private final LibvirtPort libvirt;
  private final KvmVerdict kvm;
  private final String serialLogDir;
  private final MachineExecutor executor;
  private final Clock clock;
  private final MachineMemory memory = new MachineMemory();
  private final MachineAdmission checks;

  private final GuestAddresses addresses;
  private final MachineRemoval removal;

  private final HandEdits handEdits = new HandEdits(memory);

  private final java.util.function.Function<String, Optional<String[]>> pciLookup;
  private final DiskProvisioner disks;
  private volatile PassStages stages = PassStages.NONE;
  private final NetworkLeases leases;
  private final DomainLocks locks;
  private final LiveUpdater liveUpdater;

  /**
   * @param disks provisions the machines' volumes and cloud-init seeds on this node
   */
  public MachineRealizer(
      String node,
      LibvirtPort libvirt,
      KvmVerdict kvm,
      String serialLogDir,
      Clock clock,
      java.util.function.Function<String, Optional<String[]>> pciLookup,
      DiskProvisioner disks) {
    this.disks = disks;
    this.locks = disks.locks();
    this.liveUpdater = new LiveUpdater(libvirt);
    this.pciLookup = pciLookup;
    this.node = node;
    this.libvirt = libvirt;
    this.kvm = kvm;
    this.serialLogDir = serialLogDir;
    this.executor = new MachineExecutor(libvirt);
    this.clock = clock;
    this.leases = new NetworkLeases(libvirt, System::nanoTime);
    this.addresses = new GuestAddresses(libvirt, leases);
    this.checks = new MachineAdmission(node, libvirt, pciLookup);
    this.removal =
        new MachineRemoval(libvirt, executor, disks, clock, memory, addresses, this::naming, locks);
  }

  /**
   * The new status, how soon to look again when waiting on something without an event, and what
   * kvmop did to the domain in this pass (for events).
   */
  public record Result(KvmMachineStatus status, Duration recheckAfter, List<Happened> happened) {
    public Result(KvmMachineStatus status, Duration recheckAfter) {
      this(status, recheckAfter, List.of());
    }
  }

  public MachineNaming naming(KvmMachine m) {
    var meta = m.getMetadata();
    return MachineNaming.of(meta.getNamespace(), meta.getName(), meta.getUid(), serialLogDir);
  }

  public Result realize(KvmMachine m, List<NetworkBinding> bindings) {
    return realize(m, bindings, NodePolicy.of(List.of(), null), DiskProvisioner.Secrets.NONE);
  }

  public Result realize(
      KvmMachine m,
      List<NetworkBinding> bindings,
      NodePolicy policy,
      DiskProvisioner.Secrets secrets) {
    return realize(m, bindings, policy, secrets, StartAdmission.ANY);
  }

  /** Where each pass's stage timings go (the agent's metrics). */
  public void observeStages(PassStages to) {
    this.stages = to;
  }

  /**
   * The networks' DHCP leases as the machines read them; the agent's lease watch tells it when they
   * change (and, while it is on, new leases wake their machines instead of a poll).
   */
  public NetworkLeases leases() {
    return leases;
  }

  /** The libvirt this node's machines live in. */
  public LibvirtPort libvirt() {
    return libvirt;
  }

  public DiskProvisioner disks() {
    return disks;
  }

  /** The node's per-domain locks: snapshots, restores and clones take them too. */
  public DomainLocks locks() {
    return locks;
  }

  /**
   * @param admission whether the machine may take its node's capacity to start
   */
  public Result realize(
      KvmMachine m,
      List<NetworkBinding> bindings,
      NodePolicy policy,
      DiskProvisioner.Secrets secrets,
      StartAdmission admission) {
    Instant now = clock.instant();
    MachineNaming naming = naming(m);
    Optional<String> kvmWhy = kvm.kvmFailure().map(HostCheck::explain);
    String virtType = MachineDesign.virtType(m.getSpec(), kvmWhy);
    Pass p = new Pass(m, naming, bindings, policy, secrets, admission, kvmWhy, virtType, now);
    try {
      return locks.with(
          naming.domainName(), () -> locks.leaving(naming.domainName()) ? leaving(p) : realize(p));
    } catch (LibvirtError e) {
      return failed(
          p,
          new Blocker(
              Reasons.LIBVIRT_UNAVAILABLE,
              e.operation() + " failed (" + e.code() + "): " + e.libvirtMessage()));
    } catch (RuntimeException e) {
      // a bug must end in status, not only in the log, and never stop the other machines
      LOG.error("reconciling machine {} failed", naming.domainName(), e);
      return failed(p, Blocker.internalError("machine", e));
    }
  }

  /**
   * Whether this node would take the machine as it is (a migration's target asks before preparing
   * anything): its spec against this node's policy and host, and its networks here. Empty when it
   * would; the virtType the machine would run with here is checked by the caller.
   */
  public Optional<Blocker> admits(
      KvmMachine m, List<NetworkBinding> bindings, NodePolicy policy, String virtType) {
    Optional<String> kvmWhy = kvm.kvmFailure().map(HostCheck::explain);
    Blocker b = checks.admit(m, policy, kvmWhy, virtType);
    return Optional.ofNullable(b != null ? b : checks.networks(bindings, policy).problem());
  }

  /** One pass over one machine: what it starts from. */
  private record Pass(
      KvmMachine m,
      MachineNaming naming,
      List<NetworkBinding> bindings,
      NodePolicy policy,
      DiskProvisioner.Secrets secrets,
      StartAdmission admission,
      Optional<String> kvmWhy,
      String virtType,
      Instant now) {
    KvmMachineSpec spec() {
      return m.getSpec();
    }

    String uid() {
      return m.getMetadata().getUid();
    }
  }

  /** The checks a spec and its host must pass before anything on the host is touched. */
  private record Admitted(Blocker blocker) {}

  /** The machine's networks and the domain of its name (another's, when it lacks our mark). */
  private record Observed(
      Admitted admitted,
      Networks nets,
      Optional<DomainState> current,
      boolean foreign,
      boolean agent) {
    /** The first blocker so far (a network the machine waits for is not one). */
    Blocker stopped() {
      return admitted.blocker();
    }
  }

  /** The checked boot files and the provisioned disks; absent when an earlier stage stopped. */
  private record Provisioned(
      Observed observed, BootFiles boot, DiskProvisioner.Result storage, Blocker blocker) {
    Blocker stopped() {
      return observed.stopped() != null ? observed.stopped() : blocker;
    }
  }

  /** The declared domain and what to do with it, the machine's power request decided with it. */
  private record Planned(
      Provisioned provisioned, DomainXml desired, MachinePlan plan, String redefined) {}

  /** What applying the plan did (live changes included), and the domain after it. */
  private record Applied(
      Planned planned,
      MachinePlan plan,
      Optional<Blocker> failure,
      List<MachineAction> done,
      Optional<DomainState> after,
      List<Happened> live) {}

  /** admit → observe → provision → plan → apply → report; each stage hands on what it found. */
  private Result realize(Pass p) {
    PassStages.Laps laps = new PassStages.Laps(stages);
    Admitted admitted = new Admitted(checks.admit(p.m(), p.policy(), p.kvmWhy(), p.virtType()));
    laps.lap("validate");
    Observed observed = observe(p, admitted);
    laps.lap("observe");
    Provisioned provisioned = provision(p, observed);
    laps.lap("provision");
    Planned planned = plan(p, provisioned);
    laps.lap("plan");
    Applied applied = apply(p, planned);
    laps.lap("apply");
    Result r = report(p, applied);
    laps.lap("report");
    return r;
  }

  private Observed observe(Pass p, Admitted admitted) {
    Networks nets = checks.networks(p.bindings(), p.policy());
    Optional<DomainState> current = libvirt.findDomain(p.naming().domainName());
    boolean foreign = current.map(d -> !MachinePlanner.owns(d, p.uid())).orElse(false);
    boolean agent = addresses.agentConnected(p.spec(), current, p.naming());
    return new Observed(admitted, nets, current, foreign, agent);
  }

  /** Boot files, then disks; skipped when admission stopped or the name is another domain's. */
  private Provisioned provision(Pass p, Observed o) {
    Provisioned v;
    if (o.stopped() != null || o.foreign()) {
      v = new Provisioned(o, null, null, null);
    } else {
      var boot = BootFiles.check(p.spec().boot, p.policy().imageDirectories(), disks.config());
      v =
          boot.blocker() != null
              ? new Provisioned(o, boot, null, boot.blocker())
              : provisionDisks(p, o, boot);
    }
    Blocker refusedBy = v.stopped() != null ? v.stopped() : o.nets().problem();
    if (v.storage() == null
        || (refusedBy != null && Progress.NEEDS_HUMAN.contains(refusedBy.reason()))) {
      disks.forgetDownloads(p.uid()); // refused: what kvmop refuses holds no download slot
    }
    return v;
  }

  private Provisioned provisionDisks(Pass p, Observed o, BootFiles boot) {
    DiskProvisioner.Result storage =
        disks.provision(
            new DiskProvisioner.Input(
                p.m(),
                p.naming().domainName(),
                o.current().map(DomainState::running).orElse(false),
                o.current().map(DomainState::diskFiles).orElse(java.util.Set.of()),
                p.policy().imageDirectories(),
                p.policy().downloads(),
                p.secrets()));
    return new Provisioned(o, boot, storage, storage.blocker());
  }

  /** The declared domain (when nothing stopped the pass) and the pure planner's plan for it. */
  private Planned plan(Pass p, Provisioned v) {
    Observed o = v.observed();
    Blocker stopped = v.stopped();
    Blocker waiting = o.nets().problem();
    DomainXml desired =
        stopped == null && waiting == null
            ? MachineDesign.desired(
                p.m(),
                p.naming(),
                o.nets().byInterface(),
                p.virtType(),
                v.storage() == null ? List.of() : v.storage().devices(),
                v.boot())
            : null;
    MachineRequestStatus lastAnswer = memory.lastAnswer(p.uid());
    MachinePlan plan =
        MachinePlanner.plan(
            new MachinePlanner.Input(
                p.uid(),
                p.naming().domainName(),
                desired,
                stopped,
                waiting,
                p.spec().runStrategyOrDefault(),
                o.current(),
                o.agent(),
                memory.shutdownAskedAt(p.uid()),
                StartAdmission.refusal(
                    p.admission(), p.m(), stopped != null ? stopped : waiting, o.current(), node),
                p.now(),
                Quantities.duration(p.spec().shutdownTimeout).orElse(Duration.ofSeconds(90)),
                PowerRequests.requestOf(p.m()),
                lastAnswer != null
                    ? lastAnswer
                    : p.m().getStatus() == null ? null : p.m().getStatus().request));
    String redefined = handEdits.note(p.m(), o.current(), desired, plan, v.storage());
    return new Planned(v, desired, plan, redefined);
  }

  /** Migrating away (or gone): nothing touched, status as it is; the migration hands it over. */
  private static Result leaving(Pass p) {
    return new Result(p.m().getStatus() == null ? new KvmMachineStatus() : p.m().getStatus(), null);
  }

  /** The plan's actions through libvirt, then what the running domain can take without a boot. */
  private Applied apply(Pass p, Planned planned) {
    String uid = p.uid();
    MachinePlan plan = planned.plan();
    Observed o = planned.provisioned().observed();
    Optional<Blocker> failure = SerialLogs.prepare(p.m(), p.naming(), plan);
    List<MachineAction> done = List.of();
    if (failure.isEmpty()
        && plan.actions().stream().anyMatch(a -> a instanceof MachineAction.Start)) {
      addresses.rememberStaleLeases(p.m(), p.naming(), o.nets().byInterface());
    }
    if (failure.isEmpty()) {
      MachineExecutor.Outcome outcome = executor.run(plan.actions());
      failure = outcome.failure();
      done = outcome.done();
    }
    if (plan.shutdownRequested() && failure.isEmpty()) {
      memory.shutdownAsked(uid, p.now());
    }
    Optional<DomainState> after =
        plan.actions().isEmpty() ? o.current() : libvirt.findDomain(p.naming().domainName());
    if (after.map(d -> !d.running()).orElse(true)) {
      memory.shutdownOver(uid);
    }
    List<Happened> live = List.of();
    if (plan.restartRequired() != null && failure.isEmpty() && planned.desired() != null) {
      LiveUpdater.Result l =
          liveUpdater.update(uid, after, planned.desired(), plan.restartRequired());
      plan = plan.withRestartRequired(l.restartRequired());
      live = l.done();
    }
    return new Applied(planned, plan, failure, done, after, live);
  }

  /** Addresses, conditions and phase, what happened, and how soon to look again. */
  private Result report(Pass p, Applied a) {
    Planned planned = a.planned();
    Provisioned v = planned.provisioned();
    Observed o = v.observed();
    MachinePlan plan = a.plan();
    DiskProvisioner.Result storage = v.storage();
    KvmMachineSpec spec = p.spec();
    Blocker shown = a.failure().orElse(plan.blocker());
    boolean running = a.after().map(DomainState::running).orElse(false) && shown == null;
    List<InterfaceStatus> nics =
        addresses.addresses(
            p.m(), p.naming(), o.nets().byInterface(), running, o.agent() && running);
    MachineOutcome outcome =
        new MachineOutcome(
            p.naming(),
            a.after(),
            shown,
            p.virtType(),
            p.kvmWhy().orElse(null),
            o.nets().problem(),
            nics,
            memory.shutdownAskedAt(p.uid()) != null,
            plan.restartRequired(),
            Boolean.TRUE.equals(spec.guestAgent) ? o.agent() : null,
            a.failure().isEmpty() ? planned.redefined() : null,
            storage == null ? null : storage.blocker(),
            storage == null ? MachineStatusBuilder.previousDisks(p.m()) : storage.status(),
            storage == null ? null : storage.instanceId());
    Duration ipWait = Quantities.duration(spec.ipWaitTimeout).orElse(Duration.ofSeconds(120));
    KvmMachineStatus status = MachineStatusBuilder.build(p.m(), node, outcome, ipWait, p.now());
    List<Happened> happened = new ArrayList<>();
    if (storage != null) {
      happened.addAll(storage.done());
    }
    happened.addAll(MachineEvents.happened(a.done(), o.current(), planned.redefined()));
    happened.addAll(a.live());
    PowerRequests.answer(p.m(), status, plan.answer(), happened);
    memory.answered(p.uid(), plan.answer());
    boolean leasesSeen = leases.watched() && !Boolean.TRUE.equals(spec.guestAgent);
    boolean downloading = storage != null && storage.waiting();
    Duration recheck =
        RecheckPolicy.recheck(
            plan, outcome, status, ipWait, p.now(), p.bindings(), leasesSeen, downloading);
    return new Result(status, recheck, List.copyOf(happened));
  }

  private Result failed(Pass p, Blocker b) {
    MachineOutcome outcome =
        MachineOutcome.failed(p.m(), p.naming(), p.virtType(), p.kvmWhy().orElse(null), b);
    KvmMachineStatus status =
        MachineStatusBuilder.build(p.m(), node, outcome, Duration.ofSeconds(120), p.now());
    status.request = p.m().getStatus() == null ? null : p.m().getStatus().request;
    return new Result(status, Duration.ofSeconds(10));
  }

  /**
   * On deletion: empty when nothing is left, else how soon to look again; {@code released} gets
   * what happened to the machine's volumes (deleted, or kept by reclaimPolicy Retain).
   */
  public Optional<Duration> remove(KvmMachine m, List<Happened> released) {
    liveUpdater.forget(m.getMetadata().getUid());
    CrdSchemas.forget(m.getMetadata().getUid());
    return removal.removeLocked(m, released);
  }
}
