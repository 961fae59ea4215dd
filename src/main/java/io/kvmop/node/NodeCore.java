package io.kvmop.node;

import io.kvmop.config.OperatorConfig;
import io.kvmop.disk.DiskProvisioner;
import io.kvmop.host.HostFiles;
import io.kvmop.host.HostInspector;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.machine.MachineRealizer;
import io.kvmop.network.HostNetworkPort;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.snapshot.Restorer;
import io.kvmop.snapshot.SnapshotKeeper;
import java.time.Clock;
import java.time.Duration;

/**
 * The one composition root of a node's core, which the cluster agent and standalone kvmop both use:
 * the KVM checks, the network and machine realizers, the disk provisioner, snapshots and restores,
 * on one libvirt port and one clock.
 */
public record NodeCore(
    String node,
    LibvirtPort libvirt,
    Clock clock,
    HostInspector kvm,
    DiskProvisioner disks,
    NetworkRealizer networks,
    MachineRealizer machines,
    SnapshotKeeper snapshots,
    Restorer restores) {

  public static NodeCore of(
      OperatorConfig config, LibvirtPort libvirt, HostNetworkPort host, HostFiles hostFiles) {
    Clock clock = Clock.systemUTC();
    HostInspector kvm = new HostInspector(hostFiles, libvirt, clock, Duration.ofSeconds(30));
    DiskProvisioner disks = DiskProvisioner.onNode(libvirt, config.storage(), clock);
    MachineRealizer machines =
        new MachineRealizer(
            config.nodeName(),
            libvirt,
            kvm,
            config.serialLogDir(),
            clock,
            hostFiles::pciDevice,
            disks);
    return new NodeCore(
        config.nodeName(),
        libvirt,
        clock,
        kvm,
        disks,
        new NetworkRealizer(config.nodeName(), libvirt, host, clock)
            .overlayAddress(config.overlayAddress()),
        machines,
        new SnapshotKeeper(config.nodeName(), libvirt, machines, clock),
        new Restorer(config.nodeName(), libvirt, machines, clock));
  }
}
