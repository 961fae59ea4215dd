package io.kvmop.libvirt;

import io.kvmop.libvirt.xml.DomainXml;

/**
 * Changes to a running domain that take effect at once, without a restart: the balloon's memory
 * target, vCPU hotplug, disks and interfaces attached and detached. The persistent definition is
 * left alone (kvmop defines that separately). Every method throws {@link LibvirtError} with
 * libvirt's error code kept.
 */
public interface LivePort {
  /** Sets the running guest's memory, KiB (the virtio balloon's target). */
  void setMemory(String domain, long kib);

  /** Sets how many vCPUs the running guest has (hotplug, or unplug where the guest lets go). */
  void setVcpus(String domain, int count);

  void attach(String domain, DomainXml.Disk disk);

  void detach(String domain, DomainXml.Disk disk);

  void attach(String domain, DomainXml.Interface nic);

  void detach(String domain, DomainXml.Interface nic);

  /** Replaces the running domain's owner mark, once its declared changes were made live. */
  void mark(String domain, DomainXml.Owner owner);
}
