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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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
  private final Map<String, Instant> shutdownAsked = new ConcurrentHashMap<>();
  private final MachineAdmission checks;

  /**
   * The last answer to each machine's power request: the status a pass reads can lag behind the
   * last one written, and a restart must know it already shut the machine down.
   */
  private final Map<String, MachineRequestStatus> answers = new ConcurrentHashMap<>();

  private final GuestAddresses addresses;
  private final MachineRemoval removal;

  private final HandEdits handEdits = new HandEdits();

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
        new MachineRemoval(
            libvirt, executor, disks, clock, shutdownAsked, addresses, this::naming, locks);
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

  /** The checked boot files and the provisioned disks, or why not. */
  private record Provisioned(BootFiles boot, DiskProvisioner.Result storage, Blocker blocker) {}

  /** What applying the plan did, and the domain after it. */
  private record Applied(
      Optional<Blocker> failure, List<MachineAction> done, Optional<DomainState> after) {}

  /** validate → observe → provision → design → plan → apply → report. */
  private Result realize(Pass p) {
    PassStages.Laps laps = new PassStages.Laps(stages);
    Blocker blocker = checks.admit(p.m(), p.policy(), p.kvmWhy(), p.virtType());
    laps.lap("validate");
    Networks nets = checks.networks(p.bindings(), p.policy());
    Optional<DomainState> current = libvirt.findDomain(p.naming().domainName());
    laps.lap("observe");
    boolean foreign = current.map(d -> !MachinePlanner.owns(d, p.uid())).orElse(false);
    Provisioned prov = blocker == null && !foreign ? provision(p, current) : null;
    if (blocker == null && prov != null) {
      blocker = prov.blocker();
    }
    Blocker refusedBy = blocker != null ? blocker : nets.problem();
    if (prov == null
        || prov.storage() == null
        || (refusedBy != null && Progress.NEEDS_HUMAN.contains(refusedBy.reason()))) {
      disks.forgetDownloads(p.uid()); // refused: what kvmop refuses holds no download slot
    }
    laps.lap("provision");
    DomainXml desired =
        blocker == null && nets.problem() == null
            ? MachineDesign.desired(
                p.m(),
                p.naming(),
                nets.byInterface(),
                p.virtType(),
                prov == null || prov.storage() == null ? List.of() : prov.storage().devices(),
                prov == null ? null : prov.boot())
            : null;
    boolean agent = addresses.agentConnected(p.spec(), current, p.naming());
    MachinePlan plan =
        MachinePlanner.plan(
            new MachinePlanner.Input(
                p.uid(),
                p.naming().domainName(),
                desired,
                blocker != null ? blocker : nets.problem(),
                p.spec().runStrategyOrDefault(),
                current,
                agent,
                shutdownAsked.get(p.uid()),
                StartAdmission.refusal(
                    p.admission(),
                    p.m(),
                    blocker != null ? blocker : nets.problem(),
                    current,
                    node),
                p.now(),
                Quantities.duration(p.spec().shutdownTimeout).orElse(Duration.ofSeconds(90))));
    PowerRequests.Decision power =
        PowerRequests.decideFor(
            p.m(),
            answers.get(p.uid()),
            p.naming().domainName(),
            plan,
            current,
            agent,
            shutdownAsked.get(p.uid()),
            p.now());
    plan = power.applyTo(plan);
    DiskProvisioner.Result storage = prov == null ? null : prov.storage();
    String redefined = handEdits.note(p.m(), current, desired, plan, storage);
    laps.lap("plan");
    Applied applied = apply(p, plan, nets, current);
    List<Happened> live = List.of();
    if (plan.restartRequired() != null && applied.failure().isEmpty() && desired != null) {
      LiveUpdater.Result l =
          liveUpdater.update(p.uid(), applied.after(), desired, plan.restartRequired());
      plan = plan.withRestartRequired(l.restartRequired());
      live = l.done();
    }
    laps.lap("apply");
    Blocker shown =
        applied.failure().orElse(plan.blocker() == nets.problem() ? blocker : plan.blocker());
    Result r = report(p, plan, nets, storage, applied, shown, agent, redefined, current);
    List<Happened> happened = new ArrayList<>(r.happened());
    happened.addAll(live);
    PowerRequests.answer(p.m(), r.status(), power, happened);
    if (power.answer() != null) {
      answers.put(p.uid(), power.answer());
    }
    laps.lap("report");
    return new Result(r.status(), r.recheckAfter(), List.copyOf(happened));
  }

  /** Migrating away (or gone): nothing touched, status as it is; the migration hands it over. */
  private static Result leaving(Pass p) {
    return new Result(p.m().getStatus() == null ? new KvmMachineStatus() : p.m().getStatus(), null);
  }

  private Provisioned provision(Pass p, Optional<DomainState> current) {
    var boot = BootFiles.check(p.spec().boot, p.policy().imageDirectories(), disks.config());
    if (boot.blocker() != null) {
      return new Provisioned(boot, null, boot.blocker());
    }
    DiskProvisioner.Result storage =
        disks.provision(
            new DiskProvisioner.Input(
                p.m(),
                p.naming().domainName(),
                current.map(DomainState::running).orElse(false),
                current.map(DomainState::diskFiles).orElse(java.util.Set.of()),
                p.policy().imageDirectories(),
                p.policy().downloads(),
                p.secrets()));
    return new Provisioned(boot, storage, storage.blocker());
  }

  private Applied apply(Pass p, MachinePlan plan, Networks nets, Optional<DomainState> current) {
    String uid = p.uid();
    Optional<Blocker> failure = SerialLogs.prepare(p.m(), p.naming(), plan);
    List<MachineAction> done = List.of();
    if (failure.isEmpty()
        && plan.actions().stream().anyMatch(a -> a instanceof MachineAction.Start)) {
      addresses.rememberStaleLeases(p.m(), p.naming(), nets.byInterface());
    }
    if (failure.isEmpty()) {
      MachineExecutor.Outcome outcome = executor.run(plan.actions());
      failure = outcome.failure();
      done = outcome.done();
    }
    if (plan.shutdownRequested() && failure.isEmpty()) {
      shutdownAsked.put(uid, p.now());
    }
    Optional<DomainState> after =
        plan.actions().isEmpty() ? current : libvirt.findDomain(p.naming().domainName());
    if (after.map(d -> !d.running()).orElse(true)) {
      shutdownAsked.remove(uid);
    }
    return new Applied(failure, done, after);
  }

  private Result report(
      Pass p,
      MachinePlan plan,
      Networks nets,
      DiskProvisioner.Result storage,
      Applied applied,
      Blocker shown,
      boolean agent,
      String redefined,
      Optional<DomainState> current) {
    KvmMachineSpec spec = p.spec();
    boolean running = applied.after().map(DomainState::running).orElse(false) && shown == null;
    List<InterfaceStatus> nics =
        addresses.addresses(p.m(), p.naming(), nets.byInterface(), running, agent && running);
    MachineOutcome outcome =
        new MachineOutcome(
            p.naming(),
            applied.after(),
            shown,
            p.virtType(),
            p.kvmWhy().orElse(null),
            nets.problem(),
            nics,
            shutdownAsked.containsKey(p.uid()),
            plan.restartRequired(),
            Boolean.TRUE.equals(spec.guestAgent) ? agent : null,
            applied.failure().isEmpty() ? redefined : null,
            storage == null ? null : storage.blocker(),
            storage == null ? MachineStatusBuilder.previousDisks(p.m()) : storage.status(),
            storage == null ? null : storage.instanceId());
    Duration ipWait = Quantities.duration(spec.ipWaitTimeout).orElse(Duration.ofSeconds(120));
    KvmMachineStatus status = MachineStatusBuilder.build(p.m(), node, outcome, ipWait, p.now());
    List<Happened> happened = new ArrayList<>();
    if (storage != null) {
      happened.addAll(storage.done());
    }
    happened.addAll(MachineEvents.happened(applied.done(), current, redefined));
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
    answers.remove(m.getMetadata().getUid());
    liveUpdater.forget(m.getMetadata().getUid());
    CrdSchemas.forget(m.getMetadata().getUid());
    return removal.removeLocked(m, released);
  }
}
