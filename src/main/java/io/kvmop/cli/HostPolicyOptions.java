package io.kvmop.cli;

import io.kvmop.api.ImageDownloadSpec;
import io.kvmop.api.KvmHostSpec;
import io.kvmop.disk.StorageConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * What the node's admin allows a standalone kvmop's manifests to use, as flags: the part of a
 * KvmHost spec that a cluster admin writes. The manifest directory cannot widen it (it may be a
 * GitOps checkout anyone with commit rights shapes; docs/security.md).
 */
final class HostPolicyOptions {
  @Option(
      names = "--image-dir",
      split = ",",
      description =
          "A directory images, kernels and initrds may be in (repeatable; default "
              + StorageConfig.DEFAULT_IMAGES
              + "). kvmop's storage pool never is one.")
  List<String> imageDirs = new ArrayList<>(List.of(StorageConfig.DEFAULT_IMAGES));

  @Option(
      names = "--download-allowed-host",
      split = ",",
      description =
          "A host name image downloads may reach even when it resolves to an internal address"
              + " (repeatable).")
  List<String> downloadHosts = new ArrayList<>();

  @Option(
      names = "--download-allowed-network",
      split = ",",
      description =
          "A network (CIDR) image downloads may reach even though it is internal (repeatable).")
  List<String> downloadNetworks = new ArrayList<>();

  @Option(
      names = "--max-image-size",
      description = "The largest image a download may bring (default ${DEFAULT-VALUE}).")
  String maxImageSize = "64Gi";

  @Option(
      names = "--permitted-libvirt-network",
      split = ",",
      description =
          "A libvirt network not created by kvmop that machines may attach to (repeatable).")
  List<String> libvirtNetworks = new ArrayList<>();

  @Option(
      names = "--permitted-bridge",
      split = ",",
      description = "A host bridge that KvmNetworks of mode bridge may use (repeatable).")
  List<String> bridges = new ArrayList<>();

  @Option(
      names = "--storage-pools",
      description =
          "A directory of the node admin's KvmStoragePool manifests (*.yaml) that disks' storage"
              + " may name, with the Ceph keys beside them as keys/SECRET/KEY files (default:"
              + " none, every disk in kvmop's directory pool). Never the manifest directory.")
  java.nio.file.Path storagePools;

  /** The pools the admin offers; none without --storage-pools. */
  io.kvmop.storage.StorageCatalog storagePools() {
    return storagePools == null
        ? io.kvmop.storage.StorageCatalog.NONE
        : new io.kvmop.standalone.PoolDirectory(storagePools);
  }

  KvmHostSpec toSpec() {
    KvmHostSpec s = new KvmHostSpec();
    s.imageDirectories = new ArrayList<>(imageDirs);
    s.imageDownloads = new ImageDownloadSpec();
    s.imageDownloads.allowedHosts = new ArrayList<>(downloadHosts);
    s.imageDownloads.allowedNetworks = new ArrayList<>(downloadNetworks);
    s.imageDownloads.maxSize = maxImageSize;
    s.permittedLibvirtNetworks = new ArrayList<>(libvirtNetworks);
    s.permittedBridges = new ArrayList<>(bridges);
    return s;
  }
}
