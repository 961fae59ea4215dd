package io.kvmop.disk;

import io.kvmop.libvirt.xml.VolumeXml;

/** One storage step; the provisioner performs them in order. */
public sealed interface DiskAction {
  /** A new overlay or blank volume in kvmop's pool. */
  record Create(String disk, VolumeXml xml) implements DiskAction {}

  /** Grow a volume the machine is not running on. */
  record Grow(String disk, String volume, long from, long to) implements DiskAction {}

  /** Grow a disk of the running machine through QEMU; the guest sees the new size at once. */
  record GrowLive(String disk, String domain, String target, long from, long to)
      implements DiskAction {}
}
