package io.kvmop.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** libvirt's error codes as kvmop decides on them, its own text kept for the reports. */
class LibvirtCodeTest {
  @Test
  void aCodeKvmopActsOnIsTypedAndOthersAreOtherWithTheirTextKept() {
    assertThat(LibvirtCode.of("VIR_ERR_NO_DOMAIN")).isEqualTo(LibvirtCode.NO_DOMAIN);
    assertThat(LibvirtCode.of("VIR_ERR_OPERATION_TIMEOUT"))
        .isEqualTo(LibvirtCode.OPERATION_TIMEOUT);
    assertThat(LibvirtCode.of("VIR_ERR_XML_DETAIL")).isEqualTo(LibvirtCode.OTHER);
    assertThat(LibvirtCode.of("NO_DOMAIN"))
        .as("only libvirt's own names")
        .isEqualTo(LibvirtCode.OTHER);
    assertThat(LibvirtCode.of(null)).isEqualTo(LibvirtCode.UNKNOWN);
    LibvirtError e = new LibvirtError("define domain x", "VIR_ERR_XML_DETAIL", "", "bad xml");
    assertThat(e.kind()).isEqualTo(LibvirtCode.OTHER);
    assertThat(e.code()).isEqualTo("VIR_ERR_XML_DETAIL");
    assertThat(
            new LibvirtError("look up", "VIR_ERR_NO_NETWORK", "", "x").is(LibvirtCode.NO_NETWORK))
        .isTrue();
    for (LibvirtCode c : LibvirtCode.values()) {
      if (c != LibvirtCode.OTHER) {
        assertThat(LibvirtCode.of(c.libvirtName())).isEqualTo(c);
        // every name kvmop decides on is one libvirt-java knows
        assertThat(org.libvirt.Error.ErrorNumber.valueOf(c.libvirtName())).isNotNull();
      }
    }
  }
}
