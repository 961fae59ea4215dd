package io.kvmop.network;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NetworkNamingTest {
  @Test
  void namesAreStableAndDifferPerUid() {
    NetworkNaming a = NetworkNaming.of("default", "lab", "uid-1");
    assertThat(NetworkNaming.of("default", "lab", "uid-1")).isEqualTo(a);
    NetworkNaming b = NetworkNaming.of("default", "lab", "uid-2");
    assertThat(b.libvirtName()).isNotEqualTo(a.libvirtName());
    assertThat(b.bridge()).isNotEqualTo(a.bridge());
    assertThat(a.libvirtName()).matches("kvmop-default-lab-[0-9a-f]{4}");
    assertThat(a.bridge()).matches("kvm[0-9a-f]{8}").hasSizeLessThanOrEqualTo(15);
  }

  @Test
  void longNamesAreCutToALengthLibvirtCanStore() {
    NetworkNaming n = NetworkNaming.of("n".repeat(63), "x".repeat(253), "uid");
    assertThat(n.libvirtName()).hasSize(NetworkNaming.MAX_NAME).startsWith("kvmop-nnn");
    assertThat(n.bridge()).hasSize(11);
  }

  @Test
  void cidrArithmetic() {
    Ipv4Cidr c = Ipv4Cidr.parse("192.168.39.0/24").orElseThrow();
    assertThat(c.firstUsable()).hasToString("192.168.39.1");
    assertThat(c.lastUsable()).hasToString("192.168.39.254");
    assertThat(c.overlaps(Ipv4Cidr.parse("192.168.0.0/16").orElseThrow())).isTrue();
    assertThat(c.overlaps(Ipv4Cidr.parse("192.168.40.0/24").orElseThrow())).isFalse();
    assertThat(
            Ipv4Cidr.parse("0.0.0.0/0")
                .orElseThrow()
                .contains(Ipv4.parse("255.255.255.255").orElseThrow()))
        .isTrue();
    assertThat(Ipv4.parse("01.2.3.4")).isEmpty();
    assertThat(Ipv4.parse("1.2.3.256")).isEmpty();
    assertThat(Ipv4Cidr.parse("1.2.3.4/33")).isEmpty();
  }
}
