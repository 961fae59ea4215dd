package io.kvmop.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kvmop.api.NetworkMode;
import io.kvmop.libvirt.xml.NetworkXml;
import io.kvmop.network.NetworkDesign;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.TestDriver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The libvirt adapter against libvirt's test driver: each call reaches libvirt for real. */
class JnaLibvirtIT {
  @TempDir Path dir;
  private JnaLibvirt libvirt;
  private NetworkXml xml;

  @BeforeEach
  void open() {
    libvirt = new JnaLibvirt(TestDriver.privateUri(dir));
    var n = Fixtures.network("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.60.0.0/24"));
    xml = NetworkDesign.desired(n, NetworkRealizer.naming(n));
  }

  @AfterEach
  void close() {
    libvirt.close();
  }

  @Test
  void definesStartsStopsAndUndefines() {
    assertThat(libvirt.networks().findNetwork(xml.name())).isEmpty();
    libvirt.networks().defineNetwork(xml);
    NetworkState defined = libvirt.networks().findNetwork(xml.name()).orElseThrow();
    assertThat(defined.persistent()).isTrue();
    assertThat(defined.active()).isFalse();
    assertThat(defined.uuid()).isEqualTo(xml.uuid());
    assertThat(defined.config()).isEqualTo(xml);
    assertThat(defined.config().metadata().owner().name()).isEqualTo("lab");

    libvirt.networks().setNetworkAutostart(xml.name(), true);
    libvirt.networks().startNetwork(xml.name());
    NetworkState running = libvirt.networks().findNetwork(xml.name()).orElseThrow();
    assertThat(running.active()).isTrue();
    assertThat(running.autostart()).isTrue();
    assertThat(running.live().withoutRuntimeState()).isEqualTo(xml);
    assertThat(libvirt.networks().listNetworks())
        .extracting(NetworkState::name)
        .contains(xml.name());

    libvirt.networks().stopNetwork(xml.name());
    assertThat(libvirt.networks().findNetwork(xml.name()).orElseThrow().active()).isFalse();
    libvirt.networks().undefineNetwork(xml.name());
    assertThat(libvirt.networks().findNetwork(xml.name())).isEmpty();
  }

  @Test
  void errorsKeepLibvirtsCode() {
    assertThatThrownBy(() -> libvirt.networks().startNetwork("no-such-network"))
        .isInstanceOfSatisfying(
            LibvirtError.class,
            e -> {
              assertThat(e.code()).isEqualTo("VIR_ERR_NO_NETWORK");
              assertThat(e.operation()).isEqualTo("start network no-such-network");
              assertThat(e.libvirtMessage()).contains("no-such-network");
            });
    libvirt.networks().defineNetwork(xml);
    libvirt.networks().startNetwork(xml.name());
    assertThatThrownBy(() -> libvirt.networks().startNetwork(xml.name()))
        .isInstanceOfSatisfying(
            LibvirtError.class, e -> assertThat(e.code()).isEqualTo("VIR_ERR_OPERATION_INVALID"));
  }

  @Test
  void deliversNetworkLifecycleEvents() {
    List<NetworkEvent> seen = new CopyOnWriteArrayList<>();
    libvirt.events().addListener(LibvirtListener.networks(seen::add));
    libvirt.networks().defineNetwork(xml);
    libvirt.networks().startNetwork(xml.name());
    libvirt.networks().stopNetwork(xml.name());
    libvirt.networks().undefineNetwork(xml.name());
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(seen)
                    .containsExactly(
                        new NetworkEvent(xml.name(), NetworkEvent.Kind.DEFINED),
                        new NetworkEvent(xml.name(), NetworkEvent.Kind.STARTED),
                        new NetworkEvent(xml.name(), NetworkEvent.Kind.STOPPED),
                        new NetworkEvent(xml.name(), NetworkEvent.Kind.UNDEFINED)));
  }

  @Test
  void leasesAreEmptyWhereTheDriverCannotReportThem() {
    libvirt.networks().defineNetwork(xml);
    libvirt.networks().startNetwork(xml.name());
    assertThat(libvirt.networks().dhcpLeases(xml.name())).isEmpty();
  }
}
