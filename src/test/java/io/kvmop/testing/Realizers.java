package io.kvmop.testing;

import io.kvmop.disk.StorageConfig;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.machine.MachineRealizer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The machine realizer of node host-a on a given libvirt, its pool and logs in a test's directory.
 */
public final class Realizers {
  private Realizers() {}

  public static MachineRealizer hostA(LibvirtPort libvirt, Path dir) {
    return hostA(libvirt, dir, io.kvmop.storage.StorageCatalog.NONE);
  }

  /** The same, with the KvmStoragePools of {@code pools}. */
  public static MachineRealizer hostA(
      LibvirtPort libvirt, Path dir, io.kvmop.storage.StorageCatalog pools) {
    StorageConfig config =
        new StorageConfig(
            "kvmop", dir.resolve("pool").toString(), Path.of("/"), Duration.ofHours(1));
    return io.kvmop.node.NodeCore.on("host-a", libvirt)
        .hostNetwork(new FakeHostNetwork())
        .kvm(Optional::empty)
        .storage(config)
        .serialLogDir(dir.toString())
        .storagePools(pools)
        .build()
        .machines();
  }
}
