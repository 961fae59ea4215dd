package io.kvmop.machine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.libvirt.DhcpLease;
import io.kvmop.testing.FakeLibvirt;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NetworkLeasesTest {
  FakeLibvirt libvirt = new FakeLibvirt();
  AtomicLong nanos = new AtomicLong();
  NetworkLeases leases = new NetworkLeases(libvirt, nanos::get);

  private List<String> ips() {
    return leases.of("lab").orElse(List.of()).stream().map(DhcpLease::ip).toList();
  }

  @Test
  void withoutTheLeaseWatchEveryReadAsksLibvirt() {
    libvirt.lease("lab", "52:54:00:00:00:01", "10.0.0.1");
    assertThat(ips()).containsExactly("10.0.0.1");
    libvirt.lease("lab", "52:54:00:00:00:02", "10.0.0.2");
    assertThat(ips()).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2");
  }

  @Test
  void withTheWatchAListIsKeptUntilALeaseIsWrittenOrAtMostFiveSeconds() {
    leases.watching(true);
    libvirt.lease("lab", "52:54:00:00:00:01", "10.0.0.1");
    assertThat(ips()).containsExactly("10.0.0.1");
    libvirt.lease("lab", "52:54:00:00:00:02", "10.0.0.2");
    assertThat(ips()).as("kept: no lease written as far as the watch knows").hasSize(1);
    leases.written();
    assertThat(ips()).containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2");
    libvirt.lease("lab", "52:54:00:00:00:03", "10.0.0.3");
    nanos.addAndGet(NetworkLeases.KEEP_NANOS);
    assertThat(ips()).as("a lost file event costs at most five seconds").hasSize(3);
  }
}
