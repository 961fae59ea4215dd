package io.kvmop.machine;

import io.kvmop.api.InterfaceStatus;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.VirtType;
import io.kvmop.disk.DiskProvisioner;
import io.kvmop.disk.ImageCache;
import io.kvmop.disk.StorageConfig;
import io.kvmop.host.HostCheck;
import io.kvmop.host.KvmVerdict;
import io.kvmop.libvirt.DhcpLease;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.GuestNic;
import io.kvmop.libvirt.HostFacts;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.network.Blocker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
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

  /**
   * How often addresses are read while a running machine has none yet (and within ipWaitTimeout).
   */
  static final Duration IP_POLL = Duration.ofMillis(500);

  static final Duration IP_POLL_AFTER_TIMEOUT = Duration.ofSeconds(5);

  /** How often a machine waiting for an image download refreshes its progress. */
  static final Duration DOWNLOAD_POLL = Duration.ofSeconds(1);

  private final String node;
  private final LibvirtPort libvirt;
  private final KvmVerdict kvm;
  private final String serialLogDir;
  private final MachineExecutor executor;
  private final Clock clock;
  private final Map<String, Instant> shutdownAsked = new ConcurrentHashMap<>();
  private final Map<String, HostFacts> hostFacts = new ConcurrentHashMap<>();

  /** Per uid, each MAC's lease expiry just before kvmop last started the domain. */
  private final Map<String, Map<String, Long>> staleLeases = new ConcurrentHashMap<>();

  /** A repaired hand edit per uid and generation, kept here: cached status may lag behind. */
  private final Map<String, Map.Entry<Long, String>> redefinitions = new ConcurrentHashMap<>();

  private final java.util.function.Function<String, Optional<String[]>> pciLookup;
  private final DiskProvisioner disks;

  public MachineRealizer(
      String node, LibvirtPort libvirt, KvmVerdict kvm, String serialLogDir, Clock clock) {
    this(node, libvirt, kvm, serialLogDir, clock, addr -> Optional.empty());
  }

  /**
   * @param pciLookup vendor and product ID of a PCI device on this node, by address
   */
  public MachineRealizer(
      String node,
      LibvirtPort libvirt,
      KvmVerdict kvm,
      String serialLogDir,
      Clock clock,
      java.util.function.Function<String, Optional<String[]>> pciLookup) {
    this(
        node,
        libvirt,
        kvm,
        serialLogDir,
        clock,
        pciLookup,
        new DiskProvisioner(
            libvirt.storage(),
            StorageConfig.defaults(),
            new ImageCache(StorageConfig.defaults(), libvirt.storage(), clock)));
  }

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
    this.pciLookup = pciLookup;
    this.node = node;
    this.libvirt = libvirt;
    this.kvm = kvm;
    this.serialLogDir = serialLogDir;
    this.executor = new MachineExecutor(libvirt);
    this.clock = clock;
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

  /** One thing kvmop did: an event reason and message. */
  public record Happened(String reason, String message) {}

  public MachineNaming naming(KvmMachine m) {
    var meta = m.getMetadata();
    return MachineNaming.of(meta.getNamespace(), meta.getName(), meta.getUid(), serialLogDir);
  }

  public Result realize(KvmMachine m, List<NetworkBinding> bindings) {
    return realize(m, bindings, List.of());
  }

  /**
   * @param permittedDevices this node's KvmHost spec.permittedHostDevices
   */
  public Result realize(
      KvmMachine m,
      List<NetworkBinding> bindings,
      List<io.kvmop.api.PciDeviceId> permittedDevices) {
    return realize(
        m, bindings, NodePolicy.of(permittedDevices, null), DiskProvisioner.Secrets.NONE);
  }

  /**
   * What the node's admin allows (its KvmHost spec, or the standalone flags): passthrough devices,
   * image directories, image downloads and unmanaged libvirt networks.
   */
  public record NodePolicy(
      List<io.kvmop.api.PciDeviceId> permittedDevices,
      List<String> imageDirectories,
      io.kvmop.disk.DownloadPolicy downloads,
      List<String> permittedLibvirtNetworks,
      List<String> permittedBridges) {
    public static NodePolicy of(
        List<io.kvmop.api.PciDeviceId> permitted, List<String> imageDirectories) {
      return new NodePolicy(
          permitted == null ? List.of() : permitted,
          imageDirectories == null ? List.of(StorageConfig.DEFAULT_IMAGES) : imageDirectories,
          io.kvmop.disk.DownloadPolicy.defaults(),
          List.of(),
          List.of());
    }

    /** A KvmHost's spec; the defaults when there is none yet. */
    public static NodePolicy of(io.kvmop.api.KvmHostSpec spec) {
      io.kvmop.api.KvmHostSpec s = spec == null ? new io.kvmop.api.KvmHostSpec() : spec;
      return new NodePolicy(
          s.permittedHostDevices == null ? List.of() : s.permittedHostDevices,
          s.imageDirectories == null ? List.of() : s.imageDirectories,
          io.kvmop.disk.DownloadPolicy.of(s.imageDownloads),
          s.permittedLibvirtNetworks == null ? List.of() : s.permittedLibvirtNetworks,
          s.permittedBridges == null ? List.of() : s.permittedBridges);
    }
  }

  public DiskProvisioner disks() {
    return disks;
  }

  public Result realize(
      KvmMachine m,
      List<NetworkBinding> bindings,
      NodePolicy policy,
      DiskProvisioner.Secrets secrets) {
    List<io.kvmop.api.PciDeviceId> permittedDevices = policy.permittedDevices();
    Instant now = clock.instant();
    MachineNaming naming = naming(m);
    KvmMachineSpec spec = m.getSpec();
    String uid = m.getMetadata().getUid();
    Optional<String> kvmWhy = kvm.kvmFailure().map(MachineRealizer::explain);
    String virtType = virtType(spec, kvmWhy);
    Blocker blocker = null;
    List<String> problems = new ArrayList<>(io.kvmop.api.Unreadable.problems(m));
    problems.addAll(io.kvmop.validation.ResourceNames.problems(m.getMetadata()));
    problems.addAll(MachineValidator.validate(spec));
    if (problems.isEmpty()) {
      problems = MachineValidator.validateHostDevices(spec, node, permittedDevices, pciLookup);
    }
    if (!problems.isEmpty()) {
      blocker = new Blocker(Blocker.INVALID_SPEC, String.join("; ", problems));
    } else if (spec.virtTypeOrDefault() == VirtType.KVM && kvmWhy.isPresent()) {
      blocker =
          new Blocker(
              "KVMUnavailable",
              "spec.virtType is kvm but this node cannot run KVM guests: "
                  + kvmWhy.get()
                  + "; or use virtType auto or qemu");
    }
    Blocker networkProblem = null;
    Map<String, String> libvirtNetworks = new HashMap<>();
    try {
      if (blocker == null) {
        problems = MachineValidator.validateOnHost(spec, facts(virtType), virtType);
        if (!problems.isEmpty()) {
          blocker = new Blocker(Blocker.INVALID_SPEC, String.join("; ", problems));
        }
      }
      for (NetworkBinding b : bindings) {
        Blocker p = b.problem() != null ? b.problem() : checkUnmanaged(b, policy);
        if (p != null && networkProblem == null) {
          networkProblem = p;
        }
        libvirtNetworks.put(b.interfaceName(), b.libvirtNetwork());
      }
      Optional<DomainState> current = libvirt.findDomain(naming.domainName());
      boolean foreign = current.map(d -> !MachinePlanner.owns(d, uid)).orElse(false);
      DiskProvisioner.Result storage = null;
      io.kvmop.disk.BootFiles boot = null;
      if (blocker == null && !foreign) {
        boot = io.kvmop.disk.BootFiles.check(spec.boot, policy.imageDirectories(), disks.config());
        blocker = boot.blocker();
      }
      if (blocker == null && !foreign) {
        storage =
            disks.provision(
                new DiskProvisioner.Input(
                    m,
                    naming.domainName(),
                    current.map(DomainState::running).orElse(false),
                    diskFiles(current),
                    policy.imageDirectories(),
                    policy.downloads(),
                    secrets));
        blocker = storage.blocker();
      }
      DomainXml desired =
          blocker == null && networkProblem == null
              ? MachineDesign.desired(
                  m,
                  naming,
                  libvirtNetworks,
                  virtType,
                  storage == null ? List.of() : storage.devices(),
                  boot)
              : null;
      boolean agent = agentConnected(spec, current, naming);
      MachinePlan plan =
          MachinePlanner.plan(
              new MachinePlanner.Input(
                  uid,
                  naming.domainName(),
                  desired,
                  blocker != null ? blocker : networkProblem,
                  spec.runStrategyOrDefault(),
                  current,
                  agent,
                  shutdownAsked.get(uid),
                  now,
                  Quantities.duration(spec.shutdownTimeout).orElse(Duration.ofSeconds(90))));
      String redefined = seedChanged(m, storage) ? null : driftRepaired(m, current, desired, plan);
      long gen = m.getMetadata().getGeneration() == null ? 0 : m.getMetadata().getGeneration();
      if (redefined != null) {
        redefinitions.put(uid, Map.entry(gen, redefined));
      } else if (redefinitions.containsKey(uid) && redefinitions.get(uid).getKey() == gen) {
        redefined = redefinitions.get(uid).getValue();
      }
      Optional<Blocker> failure = prepareSerialLog(m, naming, plan);
      List<MachineAction> done = List.of();
      if (failure.isEmpty()
          && plan.actions().stream().anyMatch(a -> a instanceof MachineAction.Start)) {
        rememberStaleLeases(m, naming, libvirtNetworks);
      }
      if (failure.isEmpty()) {
        MachineExecutor.Outcome outcome = executor.run(plan.actions());
        failure = outcome.failure();
        done = outcome.done();
      }
      if (plan.shutdownRequested() && failure.isEmpty()) {
        shutdownAsked.put(uid, now);
      }
      Optional<DomainState> after =
          plan.actions().isEmpty() ? current : libvirt.findDomain(naming.domainName());
      if (after.map(d -> !d.running()).orElse(true)) {
        shutdownAsked.remove(uid);
      }
      Blocker shown = failure.orElse(plan.blocker() == networkProblem ? blocker : plan.blocker());
      boolean running = after.map(DomainState::running).orElse(false) && shown == null;
      List<InterfaceStatus> nics = addresses(m, naming, libvirtNetworks, running, agent && running);
      MachineOutcome outcome =
          new MachineOutcome(
              naming,
              after,
              shown,
              virtType,
              kvmWhy.orElse(null),
              networkProblem,
              nics,
              shutdownAsked.containsKey(uid),
              plan.restartRequired(),
              Boolean.TRUE.equals(spec.guestAgent) ? agent : null,
              failure.isEmpty() ? redefined : null,
              storage == null ? null : storage.blocker(),
              storage == null ? previousDisks(m) : storage.status(),
              storage == null ? null : storage.instanceId());
      Duration ipWait = Quantities.duration(spec.ipWaitTimeout).orElse(Duration.ofSeconds(120));
      KvmMachineStatus status = MachineStatusBuilder.build(m, node, outcome, ipWait, now);
      List<Happened> happened = new ArrayList<>();
      if (storage != null) {
        storage.done().forEach(d -> happened.add(new Happened(d.reason(), d.message())));
      }
      happened.addAll(happened(done, current, redefined));
      Duration recheck = recheck(plan, outcome, status, ipWait, now, bindings);
      if (storage != null && storage.waiting()) {
        recheck = recheck == null || recheck.compareTo(DOWNLOAD_POLL) > 0 ? DOWNLOAD_POLL : recheck;
      }
      return new Result(status, recheck, List.copyOf(happened));
    } catch (LibvirtError e) {
      return failed(
          m,
          naming,
          virtType,
          kvmWhy,
          new Blocker(
              "LibvirtUnavailable",
              e.operation() + " failed (" + e.code() + "): " + e.libvirtMessage()),
          now);
    } catch (RuntimeException e) {
      // a bug must end in status, not only in the log, and never stop the other machines
      LOG.error("reconciling machine {} failed", naming.domainName(), e);
      return failed(m, naming, virtType, kvmWhy, Blocker.internalError("machine", e), now);
    }
  }

  private Result failed(
      KvmMachine m,
      MachineNaming naming,
      String virtType,
      Optional<String> kvmWhy,
      Blocker b,
      Instant now) {
    MachineOutcome outcome =
        new MachineOutcome(
            naming,
            Optional.empty(),
            b,
            virtType,
            kvmWhy.orElse(null),
            null,
            MachineStatusBuilder.interfaces(m, naming),
            false,
            null,
            null,
            null,
            null,
            previousDisks(m),
            null);
    return new Result(
        MachineStatusBuilder.build(m, node, outcome, Duration.ofSeconds(120), now),
        Duration.ofSeconds(10));
  }

  /** Files the domain's definitions (persistent and running) use as disks. */
  private static java.util.Set<String> diskFiles(Optional<DomainState> d) {
    java.util.Set<String> files = new java.util.HashSet<>();
    d.ifPresent(
        s -> {
          for (DomainXml x : new DomainXml[] {s.config(), s.live()}) {
            if (x != null && x.devices() != null && x.devices().disks() != null) {
              x.devices().disks().stream()
                  .filter(k -> k.source() != null && k.source().file() != null)
                  .forEach(k -> files.add(k.source().file()));
            }
          }
        });
    return files;
  }

  private static List<io.kvmop.api.DiskStatus> previousDisks(KvmMachine m) {
    return m.getStatus() == null ? null : m.getStatus().disks;
  }

  /**
   * A new cloud-init seed (its inputs include Secrets, which raise no generation) redefines the
   * domain without anyone having edited it.
   */
  private static boolean seedChanged(KvmMachine m, DiskProvisioner.Result storage) {
    if (storage == null || storage.status() == null) {
      return false;
    }
    String now =
        storage.status().stream()
            .filter(d -> DiskProvisioner.CIDATA.equals(d.name))
            .map(d -> d.path)
            .findFirst()
            .orElse(null);
    List<io.kvmop.api.DiskStatus> before = previousDisks(m);
    String then =
        before == null
            ? null
            : before.stream()
                .filter(d -> DiskProvisioner.CIDATA.equals(d.name))
                .map(d -> d.path)
                .findFirst()
                .orElse(null);
    return !java.util.Objects.equals(now, then);
  }

  /**
   * When kvmop redefines a domain although the spec did not change since it last reported, the
   * definition was changed outside kvmop (virsh edit, define): say what differed.
   */
  private static String driftRepaired(
      KvmMachine m, Optional<DomainState> current, DomainXml desired, MachinePlan plan) {
    boolean specUnchanged =
        m.getStatus() != null
            && m.getStatus().observedGeneration != null
            && m.getStatus().observedGeneration.equals(m.getMetadata().getGeneration());
    if (!specUnchanged
        || current.isEmpty()
        || !current.get().persistent()
        || plan.actions().stream().noneMatch(a -> a instanceof MachineAction.Define)) {
      return null;
    }
    return "libvirt's definition of "
        + current.get().name()
        + " was changed outside kvmop ("
        + MachineDrift.describe(current.get().config(), desired)
        + ") and was redefined as declared";
  }

  /** The serial log's directory must exist before libvirt starts the domain. */
  private static Optional<Blocker> prepareSerialLog(
      KvmMachine m, MachineNaming naming, MachinePlan plan) {
    if (Boolean.FALSE.equals(m.getSpec().serialLog)
        || plan.actions().stream().noneMatch(a -> a instanceof MachineAction.Start)) {
      return Optional.empty();
    }
    java.nio.file.Path dir = java.nio.file.Path.of(naming.serialLogPath()).getParent();
    try {
      java.nio.file.Files.createDirectories(dir);
      return Optional.empty();
    } catch (java.io.IOException | SecurityException e) {
      return Optional.of(
          new Blocker(
              "HostError",
              "cannot create the serial log directory "
                  + dir
                  + ": "
                  + e.getMessage()
                  + "; mount it into the agent or set spec.serialLog false"));
    }
  }

  private static void deleteSerialLog(MachineNaming naming) {
    try {
      java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(naming.serialLogPath()));
    } catch (java.io.IOException e) {
      // the log is diagnostics only; a leftover file never blocks deletion
    }
  }

  private static List<Happened> happened(
      List<MachineAction> done, Optional<DomainState> before, String redefined) {
    List<Happened> h = new ArrayList<>();
    for (MachineAction a : done) {
      if (a instanceof MachineAction.Define d) {
        h.add(
            before.isEmpty()
                ? new Happened("Defined", "defined domain " + d.xml().name())
                : new Happened(
                    "Redefined",
                    redefined != null
                        ? redefined
                        : "redefined domain " + d.xml().name() + " as declared"));
      } else if (a instanceof MachineAction.Start s) {
        String why =
            before.filter(b -> !b.running()).map(b -> " (it was " + b.describe() + ")").orElse("");
        h.add(new Happened("Started", "started domain " + s.name() + why));
      } else if (a instanceof MachineAction.Shutdown s) {
        h.add(
            new Happened(
                "Stopping",
                "asked domain "
                    + s.name()
                    + " to shut down"
                    + (s.viaAgent() ? " through the guest agent" : " (ACPI)")));
      } else if (a instanceof MachineAction.Destroy d) {
        h.add(
            new Happened(
                "Stopped", "destroyed domain " + d.name() + " after its shutdown timeout"));
      }
    }
    return h;
  }

  /** The failing check's message and its fix, as the KvmHost lists them. */
  static String explain(HostCheck c) {
    return c.name() + ": " + c.message() + (c.fix() == null ? "" : " (fix: " + c.fix() + ")");
  }

  private String virtType(KvmMachineSpec spec, Optional<String> kvmWhy) {
    return switch (spec.virtTypeOrDefault()) {
      case KVM -> "kvm";
      case QEMU -> "qemu";
      case AUTO -> kvmWhy.isEmpty() ? "kvm" : "qemu";
    };
  }

  private HostFacts facts(String virtType) {
    return hostFacts.computeIfAbsent(virtType, libvirt::hostFacts);
  }

  /**
   * An existing libvirt network kvmop does not manage must exist and run; kvmop never starts it.
   */
  private Blocker checkUnmanaged(NetworkBinding b, NodePolicy policy) {
    if (b.managed()) {
      return null;
    }
    if (!policy.permittedLibvirtNetworks().contains(b.libvirtNetwork())) {
      return notPermitted(
          b,
          " is not one machines may use on node "
              + node
              + ": the node's admin lists those in KvmHost "
              + node
              + " spec.permittedLibvirtNetworks"
              + (policy.permittedLibvirtNetworks().isEmpty()
                  ? " (empty now); or use a KvmNetwork"
                  : " (now: " + String.join(", ", policy.permittedLibvirtNetworks()) + ")"));
    }
    Optional<NetworkState> n = libvirt.findNetwork(b.libvirtNetwork());
    if (n.isPresent() && ownedByKvmop(n.get())) {
      return notPermitted(
          b,
          " belongs to a KvmNetwork; name that KvmNetwork (in the machine's namespace) in"
              + " spec.interfaces[].network instead");
    }
    if (n.isEmpty()) {
      return new Blocker(
          "NetworkNotFound",
          "interface "
              + b.interfaceName()
              + ": libvirt network "
              + b.libvirtNetwork()
              + " does not exist on node "
              + node
              + "; create it, or use a KvmNetwork");
    }
    if (!n.get().active()) {
      return new Blocker(
          "NetworkNotReady",
          "interface "
              + b.interfaceName()
              + ": libvirt network "
              + b.libvirtNetwork()
              + " is not active on node "
              + node
              + " (kvmop does not manage it): virsh net-start "
              + b.libvirtNetwork()
              + " && virsh net-autostart "
              + b.libvirtNetwork());
    }
    return null;
  }

  private static Blocker notPermitted(NetworkBinding b, String why) {
    return new Blocker(
        "NetworkNotPermitted",
        "interface " + b.interfaceName() + ": libvirt network " + b.libvirtNetwork() + why);
  }

  /** A network kvmop made for some KvmNetwork: its mark, or a name in kvmop's own space. */
  private static boolean ownedByKvmop(NetworkState n) {
    return n.name().startsWith("kvmop-")
        || (n.config() != null
            && n.config().metadata() != null
            && n.config().metadata().owner() != null);
  }

  private boolean agentConnected(KvmMachineSpec spec, Optional<DomainState> d, MachineNaming n) {
    return agentNics(spec, d, n).isPresent();
  }

  /** The agent's view of the guest's interfaces; empty when there is no agent or it is silent. */
  private Optional<List<GuestNic>> agentNics(
      KvmMachineSpec spec, Optional<DomainState> d, MachineNaming n) {
    if (!Boolean.TRUE.equals(spec.guestAgent) || !d.map(DomainState::running).orElse(false)) {
      return Optional.empty();
    }
    return libvirt.agentInterfaces(n.domainName());
  }

  /**
   * Addresses per interface: the guest agent's when it answers, else the DHCP lease of the
   * interface's network. A known address is kept while the machine runs and nothing new is found; a
   * stopped machine has none.
   */
  private List<InterfaceStatus> addresses(
      KvmMachine m,
      MachineNaming naming,
      Map<String, String> nets,
      boolean running,
      boolean agent) {
    List<InterfaceStatus> result = MachineStatusBuilder.interfaces(m, naming);
    if (!running) {
      return result;
    }
    List<GuestNic> fromAgent =
        agent ? libvirt.agentInterfaces(naming.domainName()).orElse(List.of()) : List.of();
    Map<String, List<DhcpLease>> leases = new HashMap<>();
    for (InterfaceStatus i : result) {
      List<String> ips = new ArrayList<>();
      String source = null;
      for (GuestNic g : fromAgent) {
        if (g.mac().equals(i.mac) && !g.ipv4().isEmpty()) {
          ips.addAll(g.ipv4());
          source = "agent";
        }
      }
      String net = nets.get(i.name);
      if (ips.isEmpty() && net != null) {
        List<DhcpLease> l =
            leases.computeIfAbsent(net, n -> libvirt.dhcpLeases(n).orElse(List.of()));
        l.stream()
            .filter(x -> x.mac() != null && x.mac().toLowerCase(Locale.ROOT).equals(i.mac))
            .filter(x -> fresh(m.getMetadata().getUid(), x))
            .map(DhcpLease::ip)
            .forEach(ips::add);
        source = ips.isEmpty() ? null : "lease";
      }
      if (ips.isEmpty()) {
        previous(m, i.name)
            .ifPresent(
                p -> {
                  ips.addAll(p.ipAddresses);
                  i.source = p.source;
                });
      } else {
        i.source = source;
      }
      i.ipAddresses = ips;
    }
    return result;
  }

  /**
   * dnsmasq keeps a lease after its guest is gone, and a machine declared again with the same MAC
   * would show it before it has booted: the leases its MACs hold just before kvmop starts the
   * domain are remembered, and only a later one (a new grant expires later) is this boot's.
   */
  private void rememberStaleLeases(KvmMachine m, MachineNaming naming, Map<String, String> nets) {
    Map<String, Long> stale = new HashMap<>();
    for (InterfaceStatus i : MachineStatusBuilder.interfaces(m, naming)) {
      String net = nets.get(i.name);
      if (net == null) {
        continue;
      }
      try {
        libvirt.dhcpLeases(net).orElse(List.of()).stream()
            .filter(l -> l.mac() != null && l.mac().toLowerCase(Locale.ROOT).equals(i.mac))
            .forEach(l -> stale.merge(i.mac, l.expiryEpochSeconds(), Math::max));
      } catch (LibvirtError e) {
        // no lease list now: nothing to hold against the next one
      }
    }
    staleLeases.put(m.getMetadata().getUid(), stale);
  }

  private boolean fresh(String uid, DhcpLease l) {
    Long stale = staleLeases.getOrDefault(uid, Map.of()).get(l.mac().toLowerCase(Locale.ROOT));
    return stale == null || l.expiryEpochSeconds() > stale;
  }

  private static Optional<InterfaceStatus> previous(KvmMachine m, String ifname) {
    if (m.getStatus() == null || m.getStatus().interfaces == null) {
      return Optional.empty();
    }
    return m.getStatus().interfaces.stream()
        .filter(p -> ifname.equals(p.name) && p.ipAddresses != null && !p.ipAddresses.isEmpty())
        .findFirst();
  }

  private static Duration recheck(
      MachinePlan plan,
      MachineOutcome o,
      KvmMachineStatus status,
      Duration ipWait,
      Instant now,
      List<NetworkBinding> bindings) {
    List<Duration> waits = new ArrayList<>();
    if (plan.recheckAfter() != null) {
      waits.add(plan.recheckAfter());
    }
    if (o.running() && !o.hasAllAddresses()) {
      Instant since = MachineStatusBuilder.runningSince(status, now);
      waits.add(
          Duration.between(since, now).compareTo(ipWait) < 0 ? IP_POLL : IP_POLL_AFTER_TIMEOUT);
    }
    if (o.networkProblem() != null && bindings.stream().anyMatch(b -> !b.managed())) {
      waits.add(Duration.ofSeconds(5)); // unmanaged libvirt networks raise no event kvmop sees
    }
    if (o.blocker() != null && Blocker.LIBVIRT_ERROR.equals(o.blocker().reason())) {
      waits.add(Duration.ofSeconds(10));
    }
    return waits.stream().min(Duration::compareTo).orElse(null);
  }

  /** On deletion: empty when nothing is left, else how soon to look again. */
  public Optional<Duration> remove(KvmMachine m) {
    return remove(m, new ArrayList<>());
  }

  /**
   * On deletion: empty when nothing is left, else how soon to look again; {@code released} gets
   * what happened to the machine's volumes (deleted, or kept by reclaimPolicy Retain).
   */
  public Optional<Duration> remove(KvmMachine m, List<Happened> released) {
    if (!io.kvmop.api.Unreadable.problems(m).isEmpty()) {
      // its reclaimPolicy or shutdownTimeout may be what could not be read: hold, lose nothing
      return Optional.of(Duration.ofSeconds(30));
    }
    MachineNaming naming = naming(m);
    String uid = m.getMetadata().getUid();
    Instant now = clock.instant();
    Optional<DomainState> current = libvirt.findDomain(naming.domainName());
    boolean agent = agentConnected(m.getSpec(), current, naming);
    MachinePlan plan =
        MachinePlanner.planDeletion(
            new MachinePlanner.Input(
                uid,
                naming.domainName(),
                null,
                null,
                m.getSpec().runStrategyOrDefault(),
                current,
                agent,
                shutdownAsked.get(uid),
                now,
                Quantities.duration(m.getSpec().shutdownTimeout).orElse(Duration.ofSeconds(90))));
    // the disks go before the definition: a process killed in between still finds the domain by
    // its mark next time, and with it the volumes (which carry no mark of their own)
    List<MachineAction> undefine =
        plan.actions().stream().filter(a -> a instanceof MachineAction.Undefine).toList();
    List<MachineAction> stop =
        plan.actions().stream().filter(a -> !(a instanceof MachineAction.Undefine)).toList();
    Optional<Blocker> failure = executor.execute(stop);
    if (plan.shutdownRequested() && failure.isEmpty()) {
      shutdownAsked.put(uid, now);
    }
    if (failure.isPresent()) {
      return Optional.of(Duration.ofSeconds(5));
    }
    boolean releasedNow = false;
    if (!undefine.isEmpty()) {
      if (!releaseDisks(m, naming, released)) {
        return Optional.of(Duration.ofSeconds(5));
      }
      releasedNow = true;
      if (executor.execute(undefine).isPresent()) {
        return Optional.of(Duration.ofSeconds(5));
      }
    }
    if (plan.recheckAfter() != null) {
      return Optional.of(plan.recheckAfter());
    }
    boolean gone =
        libvirt.findDomain(naming.domainName()).map(d -> !MachinePlanner.owns(d, uid)).orElse(true);
    if (gone) {
      shutdownAsked.remove(uid);
      staleLeases.remove(uid);
      // no domain (any more): what a removal elsewhere left, if anything
      if (!releasedNow && !releaseDisks(m, naming, released)) {
        return Optional.of(Duration.ofSeconds(5));
      }
      return Optional.empty();
    }
    return Optional.of(Duration.ofMillis(500));
  }

  /** Deletes the serial log and the volumes (Delete) or reports them kept (Retain). */
  private boolean releaseDisks(KvmMachine m, MachineNaming naming, List<Happened> released) {
    deleteSerialLog(naming);
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
