package io.kvmop.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AddressGuardTest {
  private static final InetAddress OWN = ip("203.0.114.7");

  /** Names resolve to what the map says; a few fixed ones stand in for DNS. */
  private static final Map<String, String> DNS =
      Map.of(
          "images.example.com", "93.184.216.34",
          "rebind.example.com", "127.0.0.1",
          "mirror.internal", "10.20.0.5",
          "node.example.com", "203.0.114.7");

  private final AddressGuard guard =
      new AddressGuard(
          () -> Set.of(OWN),
          host -> {
            String a = DNS.get(host);
            return a != null ? new InetAddress[] {ip(a)} : InetAddress.getAllByName(host);
          });

  private static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void internalAddressesOfEveryKindAreRefused() {
    for (String a :
        List.of(
            "127.0.0.1",
            "127.1.2.3",
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.254",
            "192.168.1.1",
            "100.64.0.1",
            "169.254.169.254",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fe80::1",
            "fec0::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::127.0.0.1",
            "2002:7f00:1::",
            "64:ff9b::a9fe:a9fe",
            "2001:db8::1",
            "203.0.114.7")) {
      assertThat(AddressGuard.internal(ip(a), Set.of(OWN))).as(a).isNotNull();
    }
  }

  @Test
  void publicAddressesPass() {
    for (String a : List.of("93.184.216.34", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8")) {
      assertThat(AddressGuard.internal(ip(a), Set.of(OWN))).as(a).isNull();
    }
  }

  @Test
  void namesAreJudgedByWhatTheyResolveTo() {
    DownloadPolicy p = DownloadPolicy.defaults();
    assertThat(guard.refusal("images.example.com", p)).isNull();
    assertThat(guard.refusal("rebind.example.com", p)).contains("127.0.0.1", "loopback");
    assertThat(guard.refusal("node.example.com", p)).contains("an address of this node");
    assertThat(guard.refusal("localhost", p)).contains("loopback");
    // numeric tricks: decimal, short and IPv4-mapped IPv6 forms of 127.0.0.1
    assertThat(guard.refusal("2130706433", p)).isNotNull();
    assertThat(guard.refusal("127.1", p)).isNotNull();
    assertThat(guard.refusal("[::ffff:127.0.0.1]", p)).isNotNull();
    assertThat(guard.refusal("[::ffff:7f00:1]", p)).isNotNull();
    assertThat(guard.refusal("no-such-host.invalid", p)).contains("cannot be resolved");
  }

  @Test
  void theNodesAdminCanAllowNamedHostsAndNetworks() {
    DownloadPolicy none = DownloadPolicy.defaults();
    assertThat(guard.refusal("mirror.internal", none)).contains("private");
    assertThat(guard.refusal("mirror.internal", ImageCacheTest.allowing("mirror.internal")))
        .isNull();
    var spec = new io.kvmop.api.ImageDownloadSpec();
    spec.allowedNetworks = List.of("10.20.0.0/16");
    assertThat(guard.refusal("mirror.internal", DownloadPolicy.of(spec))).isNull();
    spec.allowedNetworks = List.of("10.21.0.0/16");
    assertThat(guard.refusal("mirror.internal", DownloadPolicy.of(spec))).isNotNull();
  }

  @Test
  void aRefusalNamesWhereThisModesAdminAllowsAHost() {
    assertThat(guard.refusal("mirror.internal", DownloadPolicy.defaults()))
        .contains("KvmHost spec.imageDownloads.allowedHosts");
    assertThat(guard.refusal("mirror.internal", DownloadPolicy.defaults().fromFlags()))
        .contains("kvmop run's --download-allowed-host or --download-allowed-network")
        .doesNotContain("KvmHost");
  }
}
