package io.kvmop.libvirt;

import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.libvirt.xml.XmlCodec;

/** {@link LivePort} over libvirt-java, sharing {@link JnaLibvirt}'s connection. */
final class JnaLive implements LivePort {
  private static final int AFFECT_LIVE = 1;
  private static final int METADATA_ELEMENT = 2;

  private final LibvirtCalls calls;

  JnaLive(LibvirtCalls calls) {
    this.calls = calls;
  }

  @Override
  public void setMemory(String domain, long kib) {
    calls.onDomain(
        Operation.SET_LIVE_MEMORY.as("set live memory of " + domain),
        domain,
        d -> d.setMemory(kib));
  }

  @Override
  public void setVcpus(String domain, int count) {
    calls.onDomain(
        Operation.SET_LIVE_VCPUS.as("set live vcpus of " + domain),
        domain,
        d -> d.setVcpusFlags(count, AFFECT_LIVE));
  }

  @Override
  public void attach(String domain, DomainXml.Disk disk) {
    String xml = XmlCodec.write(disk, "disk");
    calls.onDomain(
        Operation.ATTACH_DISK.as("attach disk to " + domain),
        domain,
        d -> d.attachDeviceFlags(xml, AFFECT_LIVE));
  }

  @Override
  public void detach(String domain, DomainXml.Disk disk) {
    String xml = XmlCodec.write(disk, "disk");
    calls.onDomain(
        Operation.DETACH_DISK.as("detach disk from " + domain),
        domain,
        d -> d.detachDeviceFlags(xml, AFFECT_LIVE));
  }

  @Override
  public void attach(String domain, DomainXml.Interface nic) {
    String xml = XmlCodec.write(nic, "interface");
    calls.onDomain(
        Operation.ATTACH_INTERFACE.as("attach interface to " + domain),
        domain,
        d -> d.attachDeviceFlags(xml, AFFECT_LIVE));
  }

  @Override
  public void detach(String domain, DomainXml.Interface nic) {
    String xml = XmlCodec.write(nic, "interface");
    calls.onDomain(
        Operation.DETACH_INTERFACE.as("detach interface from " + domain),
        domain,
        d -> d.detachDeviceFlags(xml, AFFECT_LIVE));
  }

  @Override
  public void mark(String domain, DomainXml.Owner owner) {
    calls.onDomain(
        Operation.SET_LIVE_METADATA.as("set live metadata of " + domain),
        domain,
        d ->
            d.setMetadata(
                METADATA_ELEMENT, XmlCodec.write(owner), "kvmop", DomainXml.KVMOP_NS, AFFECT_LIVE));
  }
}
