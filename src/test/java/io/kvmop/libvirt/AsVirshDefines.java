package io.kvmop.libvirt;

import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.libvirt.xml.XmlCodec;

/**
 * Defines exactly this XML, as {@code virsh define} does: no stored-form mark. For tests that
 * change a definition the way a person would, on the port's own connection (a test-driver
 * hypervisor is private to its connection).
 */
public final class AsVirshDefines {
  private AsVirshDefines() {}

  public static void define(JnaLibvirt libvirt, DomainXml xml) {
    String text = XmlCodec.write(xml);
    libvirt
        .calls()
        .call(Operation.DEFINE_DOMAIN.on(xml.name()), c -> c.domainDefineXML(text).free());
  }
}
