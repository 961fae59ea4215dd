package io.kvmop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {
  @Test
  void defaultsAreForARealClusterOnQemuSystem() {
    OperatorConfig c = OperatorConfig.fromEnvironment(Map.of("NODE_NAME", "host-a"));
    assertThat(c)
        .isEqualTo(
            new OperatorConfig(
                "host-a",
                "qemu:///system",
                true,
                Duration.ofSeconds(5),
                Duration.ofSeconds(15),
                "/var/log/kvmop",
                "/var/lib/libvirt/dnsmasq",
                Duration.ofSeconds(60),
                false,
                "/usr/share/libvirt/networks/default.xml"));
  }

  @Test
  void everySettingComesFromTheEnvironment() {
    OperatorConfig c =
        OperatorConfig.fromEnvironment(
            Map.of(
                "NODE_NAME", "host-b",
                "KVMOP_LIBVIRT_URI", "test:///default",
                "KVMOP_USE_SSA", "false",
                "KVMOP_AUTOSTART_CHECK_SECONDS", "2",
                "KVMOP_BLOCKED_RECHECK_SECONDS", "0.5",
                "KVMOP_SERIAL_LOG_DIR", "/srv/logs",
                "KVMOP_DNSMASQ_DIR", "/srv/dnsmasq",
                "KVMOP_HOST_RECHECK_SECONDS", "30",
                "KVMOP_REPAIR_DEFAULT_NETWORK", "true",
                "KVMOP_DEFAULT_NETWORK_XML", "/srv/default.xml"));
    assertThat(c)
        .isEqualTo(
            new OperatorConfig(
                "host-b",
                "test:///default",
                false,
                Duration.ofSeconds(2),
                Duration.ofMillis(500),
                "/srv/logs",
                "/srv/dnsmasq",
                Duration.ofSeconds(30),
                true,
                "/srv/default.xml"));
  }

  @Test
  void aBadNumberNamesTheVariable() {
    assertThatThrownBy(
            () ->
                OperatorConfig.fromEnvironment(
                    Map.of("NODE_NAME", "a", "KVMOP_HOST_RECHECK_SECONDS", "soon")))
        .hasMessageContaining("KVMOP_HOST_RECHECK_SECONDS='soon'");
  }

  @Test
  void withoutNodeNameTheHostNameIsUsed() {
    assertThat(OperatorConfig.fromEnvironment(Map.of()).nodeName()).isNotBlank();
  }
}
