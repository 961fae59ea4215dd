package io.kvmop.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.libvirt.xml.XmlCodec;
import org.junit.jupiter.api.Test;

/** The VNC display as kvmop writes it and as libvirt gives it back (address twice, port live). */
class DomainGraphicsXmlTest {
  static String domain(String graphics) {
    return "<domain type='qemu'><name>kvmop-default-vm</name><devices>"
        + graphics
        + "</devices></domain>";
  }

  @Test
  void readsWhatLibvirtWritesAndWritesTheLoopbackOnly() {
    DomainXml stored =
        XmlCodec.read(
            domain(
                "<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'>"
                    + "<listen type='address' address='127.0.0.1'/></graphics>"),
            DomainXml.class);
    assertThat(stored.devices().graphics())
        .containsExactly(new DomainXml.Graphics("vnc", -1, "yes", "127.0.0.1"));
    DomainXml live =
        XmlCodec.read(
            domain(
                "<graphics type='vnc' port='5901' autoport='yes' listen='127.0.0.1'>"
                    + "<listen type='address' address='127.0.0.1'/></graphics>"),
            DomainXml.class);
    assertThat(live.devices().graphics().get(0).port()).isEqualTo(5901);
    assertThat(XmlCodec.write(DomainXml.Graphics.vncOnLoopback()))
        .contains("type=\"vnc\"", "autoport=\"yes\"", "listen=\"127.0.0.1\"")
        .doesNotContain(" port=\"");
  }
}
