package io.kvmop.machine;

import io.kvmop.api.InterfaceStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.MachineRequestStatus;
import io.kvmop.api.Quantities;
import io.kvmop.disk.BootFiles;
import io.kvmop.disk.DiskProvisioner;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.machine.MachineAdmission.Networks;
import io.kvmop.status.Blocker;
import io.kvmop.status.Happened;
import io.kvmop.status.Outcome;
import io.kvmop.status.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One pass over one machine, as its six stages: admit, observe, provision, plan, apply, report.
 * Each stage is a record handed to the next; a stage that finds a blocker hands it on and the
 * stages after it skip their work. {@link MachineRealizer} runs a pass under the domain's lock.
 */
final class MachinePass {
  private final String node;
  private final LibvirtPort libvirt;
  private final MachineAdmission checks;
  private final GuestAddresses addresses;
  private final DiskProvisioner disks;
  private final MachineMemory memory;
  private final HandEdits handEdits;
  private final MachineExecutor executor;
  private final LiveUpdater liveUpdater;
  private final NetworkLeases leases;
  private final Supplier<PassStages> stages;

  MachinePass(
      String node,
      LibvirtPort libvirt,
      MachineAdmission checks,
      GuestAddresses addresses,
      DiskProvisioner disks,
      MachineMemory memory,
      MachineExecutor executor,
      LiveUpdater liveUpdater,
      NetworkLeases leases,
      Supplier<PassStages> stages) {
    this.node = node;
    this.libvirt = libvirt;
    this.checks = checks;
    this.addresses = addresses;
    this.disks = disks;
    this.memory = memory;
    this.handEdits = new HandEdits(memory);
    this.executor = executor;
    this.liveUpdater = liveUpdater;
    this.leases = leases;
    this.stages = stages;
  }

  /** One pass over one machine: what it starts from. */
  record Pass(
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
  private record Admitted(Optional<Blocker> blocker) {}

  /** The machine's networks and the domain of its name (another's, when it lacks our mark). */
  private record Observed(
      Admitted admitted,
      Networks nets,
      Optional<DomainState> current,
      boolean foreign,
      boolean agent) {
    /** The first blocker so far (a network the machine waits for is not one). */
    Optional<Blocker> stopped() {
      return admitted.blocker();
    }
  }

  /** The checked boot files and the provisioned disks; absent when an earlier stage stopped. */
  private record Provisioned(
      Observed observed, BootFiles boot, DiskProvisioner.Result storage, Blocker blocker) {
    Optional<Blocker> stopped() {
      return observed.stopped().or(() -> Optional.ofNullable(blocker));
    }

    /** The disks for status: as provisioned, else as the machine's last status said. */
    MachineOutcome.Storage storageSeen(KvmMachine m) {
      return storage == null
          ? new MachineOutcome.Storage(null, MachineOutcome.previousDisks(m), null)
          : new MachineOutcome.Storage(storage.blocker(), storage.status(), storage.instanceId());
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
  Outcome<KvmMachineStatus> run(Pass p) {
    PassStages.Laps laps = new PassStages.Laps(stages.get());
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
    Outcome<KvmMachineStatus> r = report(p, applied);
    laps.lap("report");
    return r;
  }

  private Observed observe(Pass p, Admitted admitted) {
    Networks nets = checks.networks(p.bindings(), p.policy());
    Optional<DomainState> current = libvirt.domains().findDomain(p.naming().domainName());
    boolean foreign = current.map(d -> !MachinePlanner.owns(d, p.uid())).orElse(false);
    boolean agent = addresses.agentConnected(p.spec(), current, p.naming());
    return new Observed(admitted, nets, current, foreign, agent);
  }

  /** Boot files, then disks; skipped when admission stopped or the name is another domain's. */
  private Provisioned provision(Pass p, Observed o) {
    Provisioned v;
    if (o.stopped().isPresent() || o.foreign()) {
      v = new Provisioned(o, null, null, null);
    } else {
      var boot = BootFiles.check(p.spec().boot, p.policy().imageDirectories(), disks.config());
      v =
          boot.blocker() != null
              ? new Provisioned(o, boot, null, boot.blocker())
              : provisionDisks(p, o, boot);
    }
    Optional<Blocker> refusedBy = v.stopped().or(() -> o.nets().problem());
    if (v.storage() == null
        || refusedBy.filter(b -> Progress.NEEDS_HUMAN.contains(b.reason())).isPresent()) {
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
    Optional<Blocker> stopped = v.stopped();
    Optional<Blocker> waiting = o.nets().problem();
    DomainXml desired =
        stopped.isEmpty() && waiting.isEmpty()
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
                stopped.orElse(null),
                waiting.orElse(null),
                p.spec().runStrategyOrDefault(),
                o.current(),
                o.agent(),
                memory.shutdownAskedAt(p.uid()),
                StartAdmission.refusal(
                        p.admission(), p.m(), stopped.or(() -> waiting), o.current(), node)
                    .orElse(null),
                p.now(),
                Quantities.duration(p.spec().shutdownTimeout).orElse(Duration.ofSeconds(90)),
                PowerRequests.requestOf(p.m()),
                lastAnswer != null
                    ? lastAnswer
                    : p.m().getStatus() == null ? null : p.m().getStatus().request));
    String redefined = handEdits.note(p.m(), o.current(), desired, plan, v.storage());
    return new Planned(v, desired, plan, redefined);
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
        plan.actions().isEmpty()
            ? o.current()
            : libvirt.domains().findDomain(p.naming().domainName());
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
  private Outcome<KvmMachineStatus> report(Pass p, Applied a) {
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
            new MachineOutcome.OnHost(p.virtType(), p.kvmWhy().orElse(null)),
            new MachineOutcome.Guest(
                nics,
                o.nets().problem().orElse(null),
                Boolean.TRUE.equals(spec.guestAgent) ? o.agent() : null,
                memory.shutdownAskedAt(p.uid()) != null,
                plan.restartRequired(),
                a.failure().isEmpty() ? planned.redefined() : null),
            v.storageSeen(p.m()));
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
    return new Outcome<>(status, recheck, List.copyOf(happened));
  }
}
