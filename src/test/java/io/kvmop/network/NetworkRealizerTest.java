package io.kvmop.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.KvmNetwork;
import io.kvmop.api.NetworkMode;
import io.kvmop.api.NodeNetworkStatus;
import io.kvmop.libvirt.Operation;
import io.kvmop.status.Conditions;
import io.kvmop.testing.FakeHostNetwork;
import io.kvmop.testing.FakeLibvirt;
import io.kvmop.testing.Fixtures;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The network pipeline against an in-memory libvirt with switchable failures. */
class NetworkRealizerTest {
  FakeLibvirt libvirt = new FakeLibvirt();
  NetworkRealizer realizer =
      new NetworkRealizer("host-a", libvirt, new FakeHostNetwork(), Clock.systemUTC());
  KvmNetwork n = Fixtures.network("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.40.0.0/24"));

  @Test
  void aStartThatFailsOnAnAddressIsAnAddressConflictWithLibvirtsCode() {
    libvirt.fail(
        Operation.START_NETWORK,
        "VIR_ERR_SYSTEM_ERROR",
        "error creating bridge interface: Address already in use");
    NodeNetworkStatus e = realizer.realize(n, true, List.of()).orElseThrow();
    var ready = Conditions.find(e.conditions, "Ready").orElseThrow();
    assertThat(ready.getReason()).isEqualTo("AddressConflict");
    assertThat(ready.getMessage()).contains("VIR_ERR_SYSTEM_ERROR", "Address already in use");
    assertThat(e.active).isFalse();
  }

  @Test
  void otherFailuresPassThroughWithTheirCode() {
    libvirt.fail(Operation.DEFINE_NETWORK, "VIR_ERR_XML_ERROR", "bad");
    NodeNetworkStatus e = realizer.realize(n, true, List.of()).orElseThrow();
    var ready = Conditions.find(e.conditions, "Ready").orElseThrow();
    assertThat(ready.getReason()).isEqualTo("LibvirtError");
    assertThat(ready.getMessage()).contains("define network", "VIR_ERR_XML_ERROR", "bad");
    assertThat(libvirt.calls).noneMatch(c -> c.startsWith("start network"));
  }

  @Test
  void anInterruptedRealisationCompletesOnTheNextPass() {
    libvirt.fail(Operation.SET_AUTOSTART_OF_NETWORK, "VIR_ERR_INTERNAL_ERROR", "killed");
    realizer.realize(n, true, List.of());
    NodeNetworkStatus e = realizer.realize(n, true, List.of()).orElseThrow();
    assertThat(e.active).isTrue();
    assertThat(e.autostart).isTrue();
    assertThat(libvirt.calls.stream().filter(c -> c.startsWith("define network")).count())
        .isEqualTo(1);
  }
}
