package io.kvmop.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.DhcpHost;
import io.kvmop.api.DhcpSpec;
import io.kvmop.api.HostBridgeRef;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkSpec;
import io.kvmop.api.NetworkMode;
import io.kvmop.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkValidatorTest {

  private static List<String> problems(KvmNetworkSpec s) {
    return NetworkValidator.validate(s);
  }

  @Test
  void theContractExampleIsValid() {
    assertThat(problems(Fixtures.fullNat())).isEmpty();
    assertThat(problems(Fixtures.bridge("br0"))).isEmpty();
    assertThat(problems(Fixtures.spec(NetworkMode.ISOLATED, null))).isEmpty();
  }

  @Test
  void cidrTooSmallForADhcpRangeNamesTheFieldAndTheFix() {
    assertThat(problems(Fixtures.spec(NetworkMode.ISOLATED, "10.1.0.0/31")))
        .singleElement()
        .asString()
        .contains("spec.ipv4.cidr 10.1.0.0/31 is too small", "/30 or a shorter prefix");
    KvmNetworkSpec s = Fixtures.spec(NetworkMode.ISOLATED, "10.1.0.0/30");
    s.ipv4.gateway = "10.1.0.2";
    assertThat(problems(s))
        .singleElement()
        .asString()
        .contains("spec.ipv4.dhcp range 10.1.0.3 .. 10.1.0.2 is empty", "too small");
  }

  @Test
  void addressesOutsideTheCidrAreRefusedWithTheUsableRange() {
    KvmNetworkSpec s = Fixtures.spec(NetworkMode.NAT, "192.168.39.0/24");
    s.ipv4.gateway = "192.168.40.1";
    assertThat(problems(s))
        .containsExactly(
            "spec.ipv4.gateway 192.168.40.1 must be a usable address of 192.168.39.0/24"
                + " (192.168.39.1 .. 192.168.39.254)");
    s.ipv4.gateway = null;
    s.ipv4.dhcp = new DhcpSpec();
    s.ipv4.dhcp.start = "192.168.39.100";
    s.ipv4.dhcp.end = "192.168.39.255";
    assertThat(problems(s)).singleElement().asString().contains("must lie within the usable");
    s.ipv4.dhcp.end = "192.168.39.50";
    assertThat(problems(s))
        .singleElement()
        .asString()
        .contains("is empty: spec.ipv4.dhcp.start must not come after spec.ipv4.dhcp.end");
    s.ipv4.dhcp.start = "192.168.39.1";
    assertThat(problems(s)).singleElement().asString().contains("contains the gateway");
  }

  @Test
  void reservedAddressSpaceIsRefused() {
    for (String cidr :
        List.of("127.0.0.0/24", "169.254.169.0/24", "0.0.0.0/8", "224.0.0.0/24", "240.0.0.0/24")) {
      assertThat(problems(Fixtures.spec(NetworkMode.ISOLATED, cidr)))
          .as(cidr)
          .singleElement()
          .asString()
          .startsWith("spec.ipv4.cidr " + cidr + " overlaps ")
          .contains("choose one in 10.0.0.0/8");
    }
  }

  @Test
  void controlCharactersAnywhereInTheSpecAreRefusedNamingTheField() {
    KvmNetworkSpec s = Fixtures.fullNat();
    s.dns.domain = "lab.internal\n<forward mode='nat'/>";
    assertThat(problems(s)).singleElement().asString().startsWith("spec.dns.domain contains");
  }

  @Test
  void malformedValuesAreNamed() {
    assertThat(problems(Fixtures.spec(NetworkMode.NAT, "192.168.39.0")))
        .singleElement()
        .asString()
        .startsWith("spec.ipv4.cidr '192.168.39.0' is not IPv4 CIDR notation");
    assertThat(problems(Fixtures.spec(NetworkMode.NAT, "192.168.39.7/24")))
        .singleElement()
        .asString()
        .contains("has host bits set: write 192.168.39.0/24");
    KvmNetworkSpec s = Fixtures.spec(NetworkMode.NAT, "10.2.0.0/24");
    s.ipv4.dhcp = new DhcpSpec();
    s.ipv4.dhcp.hosts =
        List.of(
            new DhcpHost("52:54:00:00:00:10", "10.2.0.10", null),
            new DhcpHost("52:54:00:00:00:10", "10.3.0.10", null),
            new DhcpHost("zz", "10.2.0.10", null));
    assertThat(problems(s))
        .containsExactly(
            "spec.ipv4.dhcp.hosts[1].mac 52:54:00:00:00:10 is reserved twice",
            "spec.ipv4.dhcp.hosts[1].ip 10.3.0.10 must be a usable address of 10.2.0.0/24 other"
                + " than the gateway",
            "spec.ipv4.dhcp.hosts[2].mac 'zz' is not a MAC address like 52:54:00:00:00:10",
            "spec.ipv4.dhcp.hosts[2].ip 10.2.0.10 is reserved twice");
  }

  @Test
  void modeRulesMatchTheSchemaRules() {
    KvmNetworkSpec bridgeWithIp = Fixtures.bridge("br0");
    bridgeWithIp.ipv4 = new io.kvmop.api.Ipv4Spec("10.0.0.0/24");
    assertThat(problems(bridgeWithIp))
        .singleElement()
        .asString()
        .startsWith("spec.ipv4 must be absent");
    KvmNetworkSpec natWithBridge = Fixtures.spec(NetworkMode.NAT, "10.0.0.0/24");
    natWithBridge.bridge = new HostBridgeRef("br0");
    assertThat(problems(natWithBridge))
        .containsExactly("spec.bridge is allowed only with mode bridge (mode is nat)");
    assertThat(problems(Fixtures.spec(NetworkMode.ROUTE, null)))
        .containsExactly("spec.ipv4 is required with mode route");
    assertThat(problems(Fixtures.bridge("a-bridge-name-too-long")))
        .singleElement()
        .asString()
        .contains("not a valid Linux interface name");
  }

  @Test
  void theNewerOfTwoOverlappingNetworksIsRefused() {
    KvmNetwork old =
        Fixtures.network(
            "default", "old", "uid-1", Fixtures.spec(NetworkMode.ISOLATED, "10.9.0.0/16"));
    KvmNetwork young =
        Fixtures.network(
            "team", "young", "uid-2", Fixtures.spec(NetworkMode.ISOLATED, "10.9.8.0/24"));
    young.getMetadata().setCreationTimestamp("2026-11-22T01:00:00Z");
    KvmNetwork apart =
        Fixtures.network(
            "team", "apart", "uid-3", Fixtures.spec(NetworkMode.ISOLATED, "10.10.0.0/24"));
    List<KvmNetwork> all = List.of(old, young, apart);
    assertThat(NetworkValidator.overlap(old, all)).isEmpty();
    assertThat(NetworkValidator.overlap(apart, all)).isEmpty();
    assertThat(NetworkValidator.overlap(young, all))
        .hasValue(
            "spec.ipv4.cidr 10.9.8.0/24 overlaps KvmNetwork default/old (10.9.0.0/16) on the same"
                + " node; choose a cidr that no other network uses");
  }
}
