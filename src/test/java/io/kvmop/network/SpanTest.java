package io.kvmop.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.AddressAllocation;
import io.kvmop.api.DhcpHost;
import io.kvmop.api.DhcpSpec;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkStatus;
import io.kvmop.api.NetworkMode;
import io.kvmop.api.SpanSpec;
import io.kvmop.testing.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpanTest {
  static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");

  static KvmNetwork wide(String cidr) {
    KvmNetwork n = new KvmNetwork();
    n.getMetadata().setNamespace("default");
    n.getMetadata().setName("wide");
    n.getMetadata().setUid("0e4b6a1c-0000-4000-8000-000000000001");
    n.setSpec(Fixtures.spec(NetworkMode.ISOLATED, cidr));
    n.getSpec().span = new SpanSpec();
    n.setStatus(new KvmNetworkStatus());
    return n;
  }

  static List<Span.Wanted> machines(int count) {
    List<Span.Wanted> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(
          new Span.Wanted(
              "m" + i,
              "uid-" + i,
              "eth0",
              String.format("52:54:00:00:%02x:%02x", i / 256, i % 256)));
    }
    return out;
  }

  @Test
  void everyInterfaceGetsItsOwnAddressInTheRangeNeverTheGatewayOrAReservation() {
    KvmNetwork n = wide("10.90.0.0/24");
    n.getSpec().ipv4.dhcp = new DhcpSpec();
    n.getSpec().ipv4.dhcp.hosts = List.of(new DhcpHost("52:54:00:ff:ff:ff", "10.90.0.77", "db"));
    // more interfaces than addresses: every free one is given, never the reserved one
    List<AddressAllocation> a = Span.allocate(n, machines(260), T0);
    assertThat(a).as("DHCP range .2-.254 less the reservation").hasSize(252);
    assertThat(a)
        .extracting(x -> x.ip)
        .doesNotHaveDuplicates()
        .doesNotContain("10.90.0.1", "10.90.0.77");
    assertThat(a).allSatisfy(x -> assertThat(x.since).isEqualTo(T0.toString()));
    // the same inputs, the same answer: two agents merging at once agree
    assertThat(Span.allocate(n, machines(260), T0)).isEqualTo(a);
  }

  @Test
  void anAddressStaysWithItsInterfaceAndIsGivenBackOnlyAfterTheGrace() {
    KvmNetwork n = wide("10.90.0.0/24");
    n.getStatus().addresses = Span.allocate(n, machines(3), T0);
    String m1 =
        n.getStatus().addresses.stream()
            .filter(x -> x.machine.equals("m1"))
            .findFirst()
            .orElseThrow()
            .ip;
    List<Span.Wanted> without1 = new ArrayList<>(machines(3));
    without1.remove(1);
    var soon = Span.allocate(n, without1, T0.plusSeconds(5));
    assertThat(soon).extracting(x -> x.machine).containsExactlyInAnyOrder("m0", "m1", "m2");
    var later = Span.allocate(n, without1, T0.plus(Span.RELEASE_GRACE).plus(Duration.ofSeconds(1)));
    assertThat(later).extracting(x -> x.machine).containsExactlyInAnyOrder("m0", "m2");
    n.getStatus().addresses = Span.allocate(n, machines(3), T0);
    assertThat(Span.allocate(n, machines(3), T0.plusSeconds(3600)))
        .as("still wanted: kept as it is, whatever its age")
        .anySatisfy(x -> assertThat(x.ip).isEqualTo(m1));
  }

  @Test
  void aFullRangeLeavesTheRestWaitingAndTwoClaimsOfOneAddressKeepTheFirst() {
    KvmNetwork n = wide("10.90.0.0/29"); // DHCP .2-.6: five addresses
    assertThat(Span.allocate(n, machines(8), T0)).hasSize(5);
    AddressAllocation a =
        new AddressAllocation(
            "52:54:00:00:00:00", "10.90.0.3", "m0", "eth0", "uid-0", T0.toString());
    AddressAllocation b =
        new AddressAllocation(
            "52:54:00:00:00:01", "10.90.0.3", "m1", "eth0", "uid-1", T0.toString());
    n.getStatus().addresses = List.of(a, b);
    var fixed = Span.allocate(n, machines(2), T0);
    assertThat(fixed).extracting(x -> x.ip).doesNotHaveDuplicates();
    assertThat(fixed)
        .filteredOn(x -> x.machine.equals("m0"))
        .extracting(x -> x.ip)
        .containsExactly("10.90.0.3");
  }

  @Test
  void theTunnelsIdentityComesFromTheResource() {
    KvmNetwork n = wide("10.90.0.0/24");
    assertThat(Span.vni(n)).isBetween(1, 16777215);
    assertThat(Span.device(n)).matches("kvx[0-9a-f]{8}");
    assertThat(Span.bridgeMac(n)).matches("02:6b:76:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}");
    n.getSpec().span.vni = 4242;
    assertThat(Span.vni(n)).isEqualTo(4242);
    KvmNetwork other = wide("10.91.0.0/24");
    other.getMetadata().setUid("0e4b6a1c-0000-4000-8000-000000000002");
    other.getMetadata().setCreationTimestamp("2026-11-29T11:00:00Z");
    n.getMetadata().setCreationTimestamp("2026-11-29T12:00:00Z");
    other.getSpec().span.vni = 4242;
    assertThat(NetworkValidator.vniTaken(n, List.of(other)))
        .hasValueSatisfying(p -> assertThat(p).contains("spec.span.vni 4242", "default/wide's"));
    assertThat(NetworkValidator.vniTaken(other, List.of(n))).as("the older keeps it").isEmpty();
  }

  @Test
  void theSpecIsCheckedForWhatASpanNeeds() {
    KvmNetwork n = wide("10.90.0.0/24");
    assertThat(NetworkValidator.validate(n.getSpec())).isEmpty();
    n.getSpec().ipv4.dhcp = new DhcpSpec();
    n.getSpec().ipv4.dhcp.enabled = false;
    assertThat(NetworkValidator.validate(n.getSpec()))
        .anyMatch(p -> p.contains("spec.span needs spec.ipv4 with DHCP"));
    n.getSpec().span.vni = 0;
    assertThat(NetworkValidator.validate(n.getSpec()))
        .anyMatch(p -> p.contains("spec.span.vni 0 must be 1-16777215"));
  }
}
