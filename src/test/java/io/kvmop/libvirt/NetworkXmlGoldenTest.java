package io.kvmop.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.DhcpSpec;
import io.kvmop.api.DnsHost;
import io.kvmop.api.DnsSpec;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.KvmNetworkSpec;
import io.kvmop.api.NetworkMode;
import io.kvmop.libvirt.xml.NetworkXml;
import io.kvmop.libvirt.xml.XmlCodec;
import io.kvmop.network.NetworkDesign;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The network XML kvmop sends to libvirt for each mode, pinned in golden files under
 * src/test/resources/golden. Regenerate with -Dkvmop.updateGolden=true and review the diff.
 */
class NetworkXmlGoldenTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");

  static Stream<Arguments> modes() {
    KvmNetworkSpec isolated = Fixtures.spec(NetworkMode.ISOLATED, "10.77.0.0/24");
    KvmNetworkSpec route = Fixtures.spec(NetworkMode.ROUTE, "10.78.0.0/16");
    route.ipv4.gateway = "10.78.0.254";
    route.ipv4.dhcp = new DhcpSpec();
    route.ipv4.dhcp.enabled = false;
    KvmNetworkSpec open = Fixtures.spec(NetworkMode.OPEN, "10.79.0.0/28");
    open.dns = new DnsSpec();
    open.dns.enabled = false;
    return Stream.of(
        Arguments.of("network-nat", Fixtures.fullNat()),
        Arguments.of("network-isolated", isolated),
        Arguments.of("network-route", route),
        Arguments.of("network-open", open),
        Arguments.of("network-bridge", Fixtures.bridge("br0")));
  }

  private static NetworkXml design(KvmNetworkSpec spec) {
    KvmNetwork n = Fixtures.network("lab", spec);
    return NetworkDesign.desired(n, NetworkRealizer.naming(n));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void matchesGoldenFile(String name, KvmNetworkSpec spec) throws IOException {
    String xml = XmlCodec.write(design(spec));
    Path file = GOLDEN.resolve(name + ".xml");
    if (Boolean.getBoolean("kvmop.updateGolden")) {
      Files.writeString(file, xml, StandardCharsets.UTF_8);
    }
    assertThat(xml).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void readsBackToTheSameRecord(String name, KvmNetworkSpec spec) {
    NetworkXml x = design(spec);
    assertThat(XmlCodec.read(XmlCodec.write(x), NetworkXml.class)).isEqualTo(x);
  }

  @Test
  void userTextCannotAddElements() {
    KvmNetworkSpec spec = Fixtures.spec(NetworkMode.ISOLATED, "10.80.0.0/24");
    spec.dns = new DnsSpec();
    spec.dns.hosts =
        List.of(new DnsHost("10.80.0.9", List.of("db</hostname></host><forward mode='nat'/><x>")));
    String xml = XmlCodec.write(design(spec));
    assertThat(xml).doesNotContain("<forward").contains("&lt;/hostname>");
    NetworkXml back = XmlCodec.read(xml, NetworkXml.class);
    assertThat(back.forward()).isNull();
    assertThat(back.dns().hosts().get(0).hostnames().get(0))
        .isEqualTo("db</hostname></host><forward mode='nat'/><x>");
  }

  @Test
  void ignoresWhatLibvirtAddsWhenReadingBack() {
    String fromLibvirt =
        """
        <network connections='2'>
          <name>kvmop-default-lab-1234</name>
          <uuid>3f2a9c1d-0000-4000-8000-00000000beef</uuid>
          <forward mode='nat'><nat><port start='1024' end='65535'/></nat></forward>
          <bridge name='kvm12345678' stp='on' delay='0'/>
          <mac address='52:54:00:90:cc:9c'/>
          <ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.254'/></dhcp></ip>
        </network>
        """;
    NetworkXml x = XmlCodec.read(fromLibvirt, NetworkXml.class);
    assertThat(x.connections()).isEqualTo(2);
    assertThat(x.forward().mode()).isEqualTo("nat");
    assertThat(x.ips()).singleElement().satisfies(ip -> assertThat(ip.prefix()).isEqualTo(24));
    assertThat(x.withoutRuntimeState().connections()).isNull();
  }
}
