package io.kvmop.machine;

import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.disk.DiskProvisioner;
import io.kvmop.host.HostCheck;
import io.kvmop.host.KvmVerdict;
import io.kvmop.libvirt.DomainLocks;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.status.Blocker;
import io.kvmop.status.Happened;
import io.kvmop.status.Outcome;
import io.kvmop.status.Reasons;
import io.kvmop.validation.CrdSchemas;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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

  private final java.util.function.Function<String, Optional<String[]>> pciLookup;
  private final DiskProvisioner disks;
  private final PassStages stages;
  private final NetworkLeases leases;
  private final DomainLocks locks;
  private final LiveUpdater liveUpdater;
  private final MachinePass pass;

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
      DiskProvisioner disks,
      PassStages stages) {
    this.stages = stages;
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
    this.pass =
        new MachinePass(
            node,
            libvirt,
            checks,
            addresses,
            disks,
            memory,
            executor,
            liveUpdater,
            leases,
            () -> stages);
  }

  public MachineNaming naming(KvmMachine m) {
    var meta = m.getMetadata();
    return MachineNaming.of(meta.getNamespace(), meta.getName(), meta.getUid(), serialLogDir);
  }

  public Outcome<KvmMachineStatus> realize(KvmMachine m, List<NetworkBinding> bindings) {
    return realize(m, bindings, NodePolicy.of(List.of(), null), DiskProvisioner.Secrets.NONE);
  }

  public Outcome<KvmMachineStatus> realize(
      KvmMachine m,
      List<NetworkBinding> bindings,
      NodePolicy policy,
      DiskProvisioner.Secrets secrets) {
    return realize(m, bindings, policy, secrets, StartAdmission.ANY);
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
  public Outcome<KvmMachineStatus> realize(
      KvmMachine m,
      List<NetworkBinding> bindings,
      NodePolicy policy,
      DiskProvisioner.Secrets secrets,
      StartAdmission admission) {
    Instant now = clock.instant();
    MachineNaming naming = naming(m);
    Optional<String> kvmWhy = kvm.kvmFailure().map(HostCheck::explain);
    String virtType = MachineDesign.virtType(m.getSpec(), kvmWhy);
    MachinePass.Pass p =
        new MachinePass.Pass(
            m, naming, bindings, policy, secrets, admission, kvmWhy, virtType, now);
    try {
      return locks.with(
          naming.domainName(), () -> locks.leaving(naming.domainName()) ? leaving(p) : pass.run(p));
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
    return checks
        .admit(m, policy, kvmWhy, virtType)
        .or(() -> checks.networks(bindings, policy).problem());
  }

  /** Migrating away (or gone): nothing touched, status as it is; the migration hands it over. */
  private static Outcome<KvmMachineStatus> leaving(MachinePass.Pass p) {
    return new Outcome<>(
        p.m().getStatus() == null ? new KvmMachineStatus() : p.m().getStatus(), null);
  }

  private Outcome<KvmMachineStatus> failed(MachinePass.Pass p, Blocker b) {
    MachineOutcome outcome =
        MachineOutcome.failed(p.m(), p.naming(), p.virtType(), p.kvmWhy().orElse(null), b);
    KvmMachineStatus status =
        MachineStatusBuilder.build(p.m(), node, outcome, Duration.ofSeconds(120), p.now());
    status.request = p.m().getStatus() == null ? null : p.m().getStatus().request;
    return new Outcome<>(status, Duration.ofSeconds(10));
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
