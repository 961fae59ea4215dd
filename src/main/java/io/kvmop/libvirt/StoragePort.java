package io.kvmop.libvirt;

import io.kvmop.libvirt.xml.PoolXml;
import io.kvmop.libvirt.xml.VolumeXml;
import java.util.List;
import java.util.Optional;

/**
 * libvirt's storage API, as much as kvmop uses: its directory pool, and volumes in it (overlays,
 * blank disks). Every method throws {@link LibvirtError} with libvirt's error code kept.
 */
public interface StoragePort {
  Optional<PoolState> findPool(String name);

  /** Every pool libvirt knows, active or only defined. */
  List<PoolState> listPools();

  /** Defines a persistent pool. */
  void definePool(PoolXml xml);

  /** Creates the pool's directory when it is missing (libvirt's pool-build). */
  void buildPool(String name);

  void startPool(String name);

  void setPoolAutostart(String name, boolean autostart);

  /** Re-reads the pool's directory, so files written there become volumes. */
  void refreshPool(String name);

  Optional<VolumeState> findVolume(String pool, String name);

  List<String> listVolumes(String pool);

  void createVolume(String pool, VolumeXml xml);

  /**
   * Creates {@code xml}'s volume as a copy of {@code source} in the same pool: in an RBD pool a
   * copy-on-write clone (libvirt takes and protects a snapshot of the source and clones it), in a
   * directory pool a full copy. The new volume has the source's size whatever {@code xml} says
   * (libvirt's RBD clone keeps it): grow it after with {@link #resizeVolume}.
   */
  void cloneVolume(String pool, VolumeXml xml, String source);

  /** Grows the volume to {@code bytes} (never shrinks: libvirt refuses without a flag). */
  void resizeVolume(String pool, String name, long bytes);

  void deleteVolume(String pool, String name);

  /** Grows a disk of a running domain to {@code bytes}; the guest sees the new size at once. */
  void resizeDomainDisk(String domain, String target, long bytes);
}
