package io.kvmop.host;

import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmHostStatus;
import io.kvmop.api.KvmHostStatus.DefaultNetworkStatus;
import io.kvmop.api.KvmHostStatus.HostCheckStatus;
import io.kvmop.api.KvmHostStatus.HostResources;
import io.kvmop.api.Quantities;
import io.kvmop.disk.DiskProvisioner;
import io.kvmop.disk.PoolKeeper;
import io.kvmop.libvirt.HostFacts;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.libvirt.xml.NetworkXml;
import io.kvmop.libvirt.xml.XmlCodec;
import io.kvmop.status.Conditions;
import io.kvmop.status.Reasons;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * This node's KvmHost status: libvirt, every KVM check with its fix, CPU models, capacity and what
 * kvmop machines take, and libvirt's default network, repaired only when the admin opts in.
 */
public final class HostReporter {
  static final String DEFAULT = "default";

  private final LibvirtPort libvirt;
  private final HostInspector inspector;
  private final boolean repairDefaultNetwork;
  private final Path defaultNetworkXml;
  private final Clock clock;
  private final DiskProvisioner disks;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HostReporter.class);
  private final KvmHostStatus.MigrationEndpoint migration;

  /** Where other nodes migrate machines to this one; null when {@code uri} is empty (none). */
  public static KvmHostStatus.MigrationEndpoint endpoint(String uri, String address) {
    if (uri == null || uri.isBlank()) {
      return null;
    }
    KvmHostStatus.MigrationEndpoint m = new KvmHostStatus.MigrationEndpoint();
    m.uri = uri;
    m.address = address == null || address.isBlank() ? null : address;
    return m;
  }

  /**
   * @param disks when given, kvmop's storage pool is kept (and reported), and unused downloaded
   *     images are collected
   * @param migration where other nodes migrate machines to this one, published in status (null:
   *     this node accepts none)
   */
  public HostReporter(
      LibvirtPort libvirt,
      HostInspector inspector,
      boolean repairDefaultNetwork,
      Path defaultNetworkXml,
      Clock clock,
      DiskProvisioner disks,
      KvmHostStatus.MigrationEndpoint migration) {
    this.migration = migration;
    this.disks = disks;
    this.libvirt = libvirt;
    this.inspector = inspector;
    this.repairDefaultNetwork = repairDefaultNetwork;
    this.defaultNetworkXml = defaultNetworkXml;
    this.clock = clock;
  }

  /** The host's checks, libvirt's facts, the default network and the pool (not the allocation). */
  public KvmHostStatus report(KvmHost host) {
    KvmHostStatus old = host.getStatus();
    KvmHostStatus s = new KvmHostStatus();
    s.libvirt = new KvmHostStatus.LibvirtInfo();
    s.libvirt.uri = libvirt.uri();
    Conditions c =
        new Conditions(
            old == null ? null : old.conditions,
            host.getMetadata().getGeneration(),
            clock.instant());
    List<HostCheck> checks = inspector.checks();
    s.kvm = new KvmHostStatus.KvmInfo();
    s.kvm.usable = HostChecks.kvmUsable(checks);
    s.kvm.checks = checks.stream().map(HostReporter::status).toList();
    Optional<HostCheck> failing = HostChecks.kvmFailure(checks);
    c.set(
        "KVMUsable",
        failing.isEmpty(),
        failing.map(HostCheck::name).orElse(Reasons.ALL_CHECKS_PASSED),
        failing
            .map(f -> f.message() + "; fix: " + f.fix())
            .orElse("this host runs KVM guests with hardware virtualization"));
    try {
      s.libvirt.version = libvirt.host().version();
      s.libvirt.connected = true;
      HostFacts facts = libvirt.host().hostFacts(s.kvm.usable ? "kvm" : "qemu");
      s.cpuModels = facts.cpuModels();
      s.capacity = resources(facts.cpus(), facts.memoryKiB());
      s.defaultNetwork = defaultNetwork();
      s.storage = storage();
      s.operations = operations(libvirt.uri());
      s.migration = migration;
      c.set(
          Conditions.READY,
          true,
          "Reporting",
          "libvirt " + s.libvirt.version + " at " + s.libvirt.uri + " answers");
    } catch (LibvirtError e) {
      s.libvirt.connected = false;
      c.set(
          Conditions.READY,
          false,
          Reasons.LIBVIRT_UNAVAILABLE,
          e.operation()
              + " failed ("
              + e.code()
              + "): "
              + e.libvirtMessage()
              + "; check that libvirtd runs and its socket is mounted");
    }
    s.conditions = c.build();
    return s;
  }

  /**
   * The day-2 operations of this node: QEMU's driver makes every live change and internal
   * snapshots; other drivers (the test driver) only what they implement. Clones need qemu-img.
   */
  static KvmHostStatus.Operations operations(String uri) {
    KvmHostStatus.Operations o = new KvmHostStatus.Operations();
    boolean qemu = uri != null && uri.startsWith("qemu");
    o.liveChanges =
        qemu ? List.of("memory", "vcpus", "disks", "interfaces") : List.of("memory", "vcpus");
    o.snapshots = true;
    o.clones = HostFiles.onPath("qemu-img", System.getenv("PATH"));
    List<String> limits = new java.util.ArrayList<>();
    if (!o.clones) {
      limits.add("no qemu-img where the agent runs: install qemu-utils to clone snapshots");
    }
    limits.add(
        "snapshots are internal (inside qcow2 volumes): raw disks cannot have them, and a"
            + " running UEFI machine is snapshotted once stopped");
    o.message = String.join("; ", limits);
    return o;
  }

  /** kvmop's pool: kept defined, active and autostarted; unused downloads collected. */
  private KvmHostStatus.StorageInfo storage() {
    if (disks == null) {
      return null;
    }
    PoolKeeper.Result r = disks.pool().ensure();
    KvmHostStatus.StorageInfo s = new KvmHostStatus.StorageInfo();
    s.pool = disks.config().poolName();
    s.path = disks.config().poolPath();
    if (r.blocker() != null) {
      s.active = false;
      s.problem = r.blocker().message();
      return s;
    }
    r.repairs().forEach(x -> LOG.info("storage: {}", x));
    s.active = r.pool() != null && r.pool().active();
    if (r.pool() != null && r.pool().active()) {
      s.capacity = Quantities.human(r.pool().capacity() >> 30 << 30);
      s.available = Quantities.human(r.pool().available() >> 30 << 30);
      disks.collectGarbage();
    }
    return s;
  }

  private static HostCheckStatus status(HostCheck c) {
    HostCheckStatus h = new HostCheckStatus();
    h.name = c.name();
    h.passed = c.passed();
    h.message = c.message();
    h.fix = c.fix();
    return h;
  }

  private static HostResources resources(int cpus, long kib) {
    HostResources r = new HostResources();
    r.cpus = cpus;
    r.memory = Quantities.humanKib(kib);
    return r;
  }

  /**
   * Reported as it is; with the opt-in, recreated from libvirt's shipped file, started,
   * autostarted.
   */
  private DefaultNetworkStatus defaultNetwork() {
    Optional<NetworkState> d = libvirt.networks().findNetwork(DEFAULT);
    String done = null;
    if (repairDefaultNetwork) {
      try {
        if (d.isEmpty()) {
          libvirt
              .networks()
              .defineNetwork(XmlCodec.read(Files.readString(defaultNetworkXml), NetworkXml.class));
          done = "recreated from " + defaultNetworkXml;
          d = libvirt.networks().findNetwork(DEFAULT);
        }
        if (d.isPresent() && !d.get().autostart()) {
          libvirt.networks().setNetworkAutostart(DEFAULT, true);
          done = done == null ? "autostart switched on" : done + ", autostart switched on";
        }
        if (d.isPresent() && !d.get().active()) {
          libvirt.networks().startNetwork(DEFAULT);
          done = done == null ? "started" : done + ", started";
        }
        d = libvirt.networks().findNetwork(DEFAULT);
      } catch (LibvirtError | IOException | IllegalArgumentException e) {
        done = "repair failed: " + e.getMessage();
      }
    }
    DefaultNetworkStatus s = new DefaultNetworkStatus();
    s.exists = d.isPresent();
    s.active = d.map(NetworkState::active).orElse(false);
    s.autostart = d.map(NetworkState::autostart).orElse(false);
    boolean healthy = s.exists && s.active && s.autostart;
    if (done != null) {
      s.message = "kvmop repaired libvirt's default network: " + done;
    } else if (healthy) {
      s.message = "active and autostarted";
    } else {
      s.message =
          "libvirt's default network is "
              + (!s.exists
                  ? "missing"
                  : (s.active ? "active" : "inactive")
                      + (s.autostart ? ", autostarted" : ", not autostarted"))
              + "; kvmop leaves it alone (machines on it would wait). To fix by hand: "
              + (!s.exists ? "virsh net-define " + defaultNetworkXml + " && " : "")
              + "virsh net-start default && virsh net-autostart default; or set KVMOP_REPAIR_DEFAULT_NETWORK=true";
    }
    return s;
  }
}
