package io.kvmop.machine;

import io.kvmop.api.KvmHostSpec;
import io.kvmop.api.PciDeviceId;
import io.kvmop.disk.DownloadPolicy;
import io.kvmop.disk.StorageConfig;
import java.util.List;

/**
 * What the node's admin allows (its KvmHost spec, or the standalone flags): passthrough devices,
 * image directories, image downloads and unmanaged libvirt networks.
 */
public record NodePolicy(
    List<PciDeviceId> permittedDevices,
    List<String> imageDirectories,
    DownloadPolicy downloads,
    List<String> permittedLibvirtNetworks,
    List<String> permittedBridges) {
  public static NodePolicy of(List<PciDeviceId> permitted, List<String> imageDirectories) {
    return new NodePolicy(
        permitted == null ? List.of() : permitted,
        imageDirectories == null ? List.of(StorageConfig.DEFAULT_IMAGES) : imageDirectories,
        DownloadPolicy.defaults(),
        List.of(),
        List.of());
  }

  /** The policy kvmop run's flags set (standalone mode): its messages name the flags. */
  public NodePolicy fromFlags() {
    return new NodePolicy(
        permittedDevices,
        imageDirectories,
        downloads.fromFlags(),
        permittedLibvirtNetworks,
        permittedBridges);
  }

  /** A KvmHost's spec; the defaults when there is none yet. */
  public static NodePolicy of(KvmHostSpec spec) {
    KvmHostSpec s = spec == null ? new KvmHostSpec() : spec;
    return new NodePolicy(
        s.permittedHostDevices == null ? List.of() : s.permittedHostDevices,
        s.imageDirectories == null ? List.of() : s.imageDirectories,
        DownloadPolicy.of(s.imageDownloads),
        s.permittedLibvirtNetworks == null ? List.of() : s.permittedLibvirtNetworks,
        s.permittedBridges == null ? List.of() : s.permittedBridges);
  }
}
