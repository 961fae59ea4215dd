package io.kvmop.node;

import io.kvmop.config.OperatorConfig;
import io.kvmop.disk.DiskProvisioner;
import io.kvmop.disk.StorageConfig;
import io.kvmop.host.HostFiles;
import io.kvmop.host.HostInspector;
import io.kvmop.host.KvmVerdict;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.machine.MachineRealizer;
import io.kvmop.machine.PassStages;
import io.kvmop.network.HostNetworkPort;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.snapshot.Restorer;
import io.kvmop.snapshot.SnapshotKeeper;
import io.kvmop.storage.RbdAccess;
import io.kvmop.storage.RbdVolumes;
import io.kvmop.storage.StorageCatalog;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The one composition root of a node's core, which the cluster agent, standalone kvmop and the
 * tests all build through {@link #on}: the KVM checks, the network and machine realizers, the disk
 * provisioner, snapshots and restores, on one libvirt port and one clock.
 */
public record NodeCore(
    String node,
    LibvirtPort libvirt,
    Clock clock,
    KvmVerdict kvm,
    DiskProvisioner disks,
    NetworkRealizer networks,
    MachineRealizer machines,
    SnapshotKeeper snapshots,
    Restorer restores) {

  /** The core as the agent's settings describe it, on the host's files; the rest to add. */
  public static Builder of(
      OperatorConfig config, LibvirtPort libvirt, HostNetworkPort host, HostFiles hostFiles) {
    return on(config.nodeName(), libvirt)
        .hostNetwork(host)
        .hostFiles(hostFiles)
        .storage(config.storage())
        .serialLogDir(config.serialLogDir())
        .overlayAddress(config.overlayAddress());
  }

  /** A builder of node {@code node}'s core on {@code libvirt}. */
  public static Builder on(String node, LibvirtPort libvirt) {
    return new Builder(node, libvirt);
  }

  /** The host's KVM checks, which the KvmHost report reads too. */
  public HostInspector inspector() {
    if (kvm instanceof HostInspector i) {
      return i;
    }
    throw new IllegalStateException("this core was built with a KVM verdict, not the host's");
  }

  /** What a node's core is built from; every part but the node and libvirt has a default. */
  public static final class Builder {
    private final String node;
    private final LibvirtPort libvirt;
    private Clock clock = Clock.systemUTC();
    private HostNetworkPort hostNetwork;
    private HostFiles hostFiles;
    private KvmVerdict kvm;
    private StorageConfig storage;
    private String serialLogDir = "/var/log/kvmop";
    private String overlayAddress = "";
    private PassStages stages = PassStages.NONE;
    private DiskProvisioner.SnapshotLookup snapshots = DiskProvisioner.SnapshotLookup.NONE;
    private StorageCatalog storagePools = StorageCatalog.NONE;
    private RbdAccess.Ports rbd = RbdVolumes.ceph();

    private Builder(String node, LibvirtPort libvirt) {
      this.node = Objects.requireNonNull(node, "node");
      this.libvirt = Objects.requireNonNull(libvirt, "libvirt");
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** The host's interfaces and routes (networks' address checks, bridges, tunnels). */
    public Builder hostNetwork(HostNetworkPort hostNetwork) {
      this.hostNetwork = hostNetwork;
      return this;
    }

    /** The host's files: the KVM checks read them, host devices are looked up in them. */
    public Builder hostFiles(HostFiles hostFiles) {
      this.hostFiles = hostFiles;
      return this;
    }

    /** A verdict on KVM instead of the host's own checks (a made-up host). */
    public Builder kvm(KvmVerdict kvm) {
      this.kvm = kvm;
      return this;
    }

    public Builder storage(StorageConfig storage) {
      this.storage = storage;
      return this;
    }

    public Builder serialLogDir(String serialLogDir) {
      this.serialLogDir = serialLogDir;
      return this;
    }

    /** This node's address for spanning networks' tunnels; empty: none realised here. */
    public Builder overlayAddress(String overlayAddress) {
      this.overlayAddress = overlayAddress;
      return this;
    }

    /** Where each machine pass's stage timings go (the agent's metrics). */
    public Builder stages(PassStages stages) {
      this.stages = Objects.requireNonNull(stages, "stages");
      return this;
    }

    /** Where clones find the snapshots they start from (the cluster's cache, the manifests). */
    public Builder snapshots(DiskProvisioner.SnapshotLookup snapshots) {
      this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
      return this;
    }

    /** The KvmStoragePools machines' disks may name, and their Ceph keys. */
    public Builder storagePools(StorageCatalog storagePools) {
      this.storagePools = Objects.requireNonNull(storagePools, "storagePools");
      return this;
    }

    /** How RBD images are reached: Ceph's tools (the default), or the tests' fake. */
    public Builder rbd(RbdAccess.Ports rbd) {
      this.rbd = Objects.requireNonNull(rbd, "rbd");
      return this;
    }

    public NodeCore build() {
      Objects.requireNonNull(hostNetwork, "hostNetwork");
      Objects.requireNonNull(storage, "storage");
      HostFiles files = hostFiles != null ? hostFiles : HostFiles.ofHost();
      KvmVerdict verdict =
          kvm != null ? kvm : new HostInspector(files, libvirt, clock, Duration.ofSeconds(30));
      Function<String, Optional<String[]>> pci = files::pciDevice;
      DiskProvisioner disks =
          DiskProvisioner.onNode(node, libvirt, storage, clock, snapshots, storagePools, rbd);
      MachineRealizer machines =
          new MachineRealizer(node, libvirt, verdict, serialLogDir, clock, pci, disks, stages);
      return new NodeCore(
          node,
          libvirt,
          clock,
          verdict,
          disks,
          new NetworkRealizer(node, libvirt, hostNetwork, clock).overlayAddress(overlayAddress),
          machines,
          new SnapshotKeeper(node, libvirt, machines, clock),
          new Restorer(node, libvirt, machines, clock));
    }
  }
}
