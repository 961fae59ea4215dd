package io.kvmop.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kvmop.agent.KvmopOperator;
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
                Duration.ofSeconds(5),
                Duration.ofSeconds(15),
                "/var/log/kvmop",
                "/var/lib/libvirt/dnsmasq",
                Duration.ofSeconds(60),
                false,
                "/usr/share/libvirt/networks/default.xml",
                "/",
                "libvirt-qemu",
                "kvmop",
                "/var/lib/kvmop/pool",
                Duration.ofDays(1),
                9477,
                "default",
                c.agentId(),
                "",
                "",
                ""));
    assertThat(c.agentId())
        .as("two agents on one host never share an identity")
        .endsWith("-" + ProcessHandle.current().pid());
  }

  @Test
  void everySettingComesFromTheEnvironment() {
    OperatorConfig c =
        OperatorConfig.fromEnvironment(
            Map.ofEntries(
                Map.entry("NODE_NAME", "host-b"),
                Map.entry("KVMOP_LIBVIRT_URI", "test:///default"),
                Map.entry("KVMOP_AUTOSTART_CHECK_SECONDS", "2"),
                Map.entry("KVMOP_BLOCKED_RECHECK_SECONDS", "0.5"),
                Map.entry("KVMOP_SERIAL_LOG_DIR", "/srv/logs"),
                Map.entry("KVMOP_DNSMASQ_DIR", "/srv/dnsmasq"),
                Map.entry("KVMOP_HOST_RECHECK_SECONDS", "30"),
                Map.entry("KVMOP_REPAIR_DEFAULT_NETWORK", "true"),
                Map.entry("KVMOP_DEFAULT_NETWORK_XML", "/srv/default.xml"),
                Map.entry("KVMOP_HOST_ROOT", "/host"),
                Map.entry("KVMOP_QEMU_USER", "qemu"),
                Map.entry("KVMOP_STORAGE_POOL_NAME", "vms"),
                Map.entry("KVMOP_STORAGE_POOL_PATH", "/srv/vms"),
                Map.entry("KVMOP_IMAGE_CACHE_UNUSED_SECONDS", "3600"),
                Map.entry("KVMOP_HTTP_PORT", "9090"),
                Map.entry("KVMOP_LEASE_NAMESPACE", "kvmop-system"),
                Map.entry("KVMOP_AGENT_ID", "kvmop-x7k2p"),
                Map.entry("KVMOP_MIGRATION_URI", "qemu+tls://10.0.0.12/system"),
                Map.entry("KVMOP_MIGRATION_ADDRESS", "10.0.0.12"),
                Map.entry("KVMOP_OVERLAY_ADDRESS", "10.0.0.12")));
    assertThat(c)
        .isEqualTo(
            new OperatorConfig(
                "host-b",
                "test:///default",
                Duration.ofSeconds(2),
                Duration.ofMillis(500),
                "/srv/logs",
                "/srv/dnsmasq",
                Duration.ofSeconds(30),
                true,
                "/srv/default.xml",
                "/host",
                "qemu",
                "vms",
                "/srv/vms",
                Duration.ofHours(1),
                9090,
                "kvmop-system",
                "kvmop-x7k2p",
                "qemu+tls://10.0.0.12/system",
                "10.0.0.12",
                "10.0.0.12"));
  }

  @Test
  void aMigrationUriMustBeALibvirtQemuUri() {
    assertThatThrownBy(
            () ->
                OperatorConfig.fromEnvironment(
                    Map.of("NODE_NAME", "a", "KVMOP_MIGRATION_URI", "ssh://x; rm -rf /")))
        .hasMessageContaining("KVMOP_MIGRATION_URI")
        .hasMessageContaining("qemu+tls://");
    assertThat(
            OperatorConfig.fromEnvironment(
                    Map.of(
                        "NODE_NAME",
                        "a",
                        "KVMOP_MIGRATION_URI",
                        "qemu+unix:///system?socket=/srv/b/libvirt-sock"))
                .migrationUri())
        .isEqualTo("qemu+unix:///system?socket=/srv/b/libvirt-sock");
  }

  @Test
  void aBadNumberNamesTheVariable() {
    assertThatThrownBy(
            () ->
                OperatorConfig.fromEnvironment(
                    Map.of("NODE_NAME", "a", "KVMOP_HOST_RECHECK_SECONDS", "soon")))
        .hasMessageContaining("KVMOP_HOST_RECHECK_SECONDS='soon': not a number of seconds");
    assertThatThrownBy(
            () ->
                OperatorConfig.fromCommandLine(
                    new String[] {"--blocked-recheck-seconds=-3"}, Map.of("NODE_NAME", "a")))
        .as("a typed flag is named as typed")
        .hasMessageContaining("--blocked-recheck-seconds='-3': not a number of seconds of 0");
    assertThatThrownBy(
            () ->
                OperatorConfig.fromEnvironment(
                    Map.of("NODE_NAME", "a", "KVMOP_REPAIR_DEFAULT_NETWORK", "yes")))
        .as("a flag that is not true or false is refused, not read as false")
        .hasMessageContaining("KVMOP_REPAIR_DEFAULT_NETWORK='yes'");
    assertThatThrownBy(
            () ->
                OperatorConfig.fromEnvironment(
                    Map.of("NODE_NAME", "a", "KVMOP_OVERLAY_ADDRESS", "10.0.0.300")))
        .hasMessageContaining("KVMOP_OVERLAY_ADDRESS='10.0.0.300': not an IPv4 address");
  }

  @Test
  void withoutNodeNameTheHostNameIsUsed() {
    assertThat(OperatorConfig.fromEnvironment(Map.of()).nodeName()).isNotBlank();
  }

  @Test
  void leasesAreWatchedOnlyWhereLibvirtdRuns() {
    String dir = "/var/lib/libvirt/dnsmasq";
    assertThat(KvmopOperator.leaseDir("qemu:///system", dir)).hasToString(dir);
    assertThat(KvmopOperator.leaseDir("qemu+unix:///system?socket=/run/b/libvirt-sock", dir))
        .hasToString(dir);
    assertThat(KvmopOperator.leaseDir("test+unix:///tmp/node.xml", dir)).hasToString(dir);
    assertThat(KvmopOperator.leaseDir("qemu+ssh://root@10.0.0.2/system", dir))
        .as("another host's dnsmasq writes elsewhere")
        .isNull();
    assertThat(KvmopOperator.leaseDir("qemu+tls://kvm-2.example/system", dir)).isNull();
  }
}
