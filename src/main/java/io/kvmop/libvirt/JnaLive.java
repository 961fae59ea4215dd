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
    calls.onDomain("set live memory of " + domain, domain, d -> d.setMemory(kib));
  }

  @Override
  public void setVcpus(String domain, int count) {
    calls.onDomain("set live vcpus of " + domain, domain, d -> d.setVcpusFlags(count, AFFECT_LIVE));
  }

  @Override
  public void attach(String domain, DomainXml.Disk disk) {
    String xml = XmlCodec.write(disk, "disk");
    calls.onDomain("attach disk to " + domain, domain, d -> d.attachDeviceFlags(xml, AFFECT_LIVE));
  }

  @Override
  public void detach(String domain, DomainXml.Disk disk) {
    String xml = XmlCodec.write(disk, "disk");
    calls.onDomain(
        "detach disk from " + domain, domain, d -> d.detachDeviceFlags(xml, AFFECT_LIVE));
  }

  @Override
  public void attach(String domain, DomainXml.Interface nic) {
    String xml = XmlCodec.write(nic, "interface");
    calls.onDomain(
        "attach interface to " + domain, domain, d -> d.attachDeviceFlags(xml, AFFECT_LIVE));
  }

  @Override
  public void detach(String domain, DomainXml.Interface nic) {
    String xml = XmlCodec.write(nic, "interface");
    calls.onDomain(
        "detach interface from " + domain, domain, d -> d.detachDeviceFlags(xml, AFFECT_LIVE));
  }

  @Override
  public void mark(String domain, DomainXml.Owner owner) {
    calls.onDomain(
        "set live metadata of " + domain,
        domain,
        d ->
            d.setMetadata(
                METADATA_ELEMENT, XmlCodec.write(owner), "kvmop", DomainXml.KVMOP_NS, AFFECT_LIVE));
  }
}
