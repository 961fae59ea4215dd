package io.kvmop.cli;

import io.kvmop.api.KvmHostSpec;
import io.kvmop.config.OperatorConfig;
import io.kvmop.host.HostFiles;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.machine.NodePolicy;
import io.kvmop.metrics.KvmopMetrics;
import io.kvmop.network.LinuxHostNetwork;
import io.kvmop.node.NodeCore;
import io.kvmop.standalone.StandaloneAgent;
import java.nio.file.Path;

/** The standalone agent of a manifest directory, built on the node's core. */
public final class StandaloneAgents {
  private StandaloneAgents() {}

  /** The standalone agent as run and delete build it (tests give it a port of their own). */
  public static StandaloneAgent agent(
      OperatorConfig config, LibvirtPort libvirt, Path manifests, Path status) {
    return agent(config, new KvmHostSpec(), libvirt, manifests, status);
  }

  /**
   * @param host what the node's admin allows the manifests to use (the standalone flags)
   */
  public static StandaloneAgent agent(
      OperatorConfig config, KvmHostSpec host, LibvirtPort libvirt, Path manifests, Path status) {
    return agent(config, host, libvirt, manifests, status, new KvmopMetrics());
  }

  /** The same, its machines, passes and libvirt calls counted in {@code metrics}. */
  public static StandaloneAgent agent(
      OperatorConfig config,
      KvmHostSpec host,
      LibvirtPort libvirt,
      Path manifests,
      Path status,
      KvmopMetrics metrics) {
    return agent(
        config, host, io.kvmop.storage.StorageCatalog.NONE, libvirt, manifests, status, metrics);
  }

  /**
   * @param pools the KvmStoragePools the node's admin offers (--storage-pools)
   */
  public static StandaloneAgent agent(
      OperatorConfig config,
      KvmHostSpec host,
      io.kvmop.storage.StorageCatalog pools,
      LibvirtPort libvirt,
      Path manifests,
      Path status,
      KvmopMetrics metrics) {
    return agent(
        config,
        host,
        pools,
        io.kvmop.storage.RbdVolumes.ceph(),
        libvirt,
        manifests,
        status,
        metrics);
  }

  /** The same, its RBD images reached through {@code rbd} (tests give it ports of their own). */
  public static StandaloneAgent agent(
      OperatorConfig config,
      KvmHostSpec host,
      io.kvmop.storage.StorageCatalog pools,
      io.kvmop.storage.RbdAccess.Ports rbd,
      LibvirtPort libvirt,
      Path manifests,
      Path status,
      KvmopMetrics metrics) {
    NodeCore.Builder core =
        NodeCore.of(
                config,
                libvirt,
                new LinuxHostNetwork(),
                new HostFiles(Path.of(config.hostRoot()), config.qemuUser()))
            .storagePools(pools)
            .rbd(rbd);
    return StandaloneAgent.on(
        manifests, status, core.stages(metrics), NodePolicy.of(host).fromFlags(), metrics);
  }
}
