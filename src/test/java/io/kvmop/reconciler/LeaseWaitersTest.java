package io.kvmop.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeaseWaitersTest {
  LeaseWaiters waiters = new LeaseWaiters();
  ResourceID a = new ResourceID("a", "default");
  ResourceID b = new ResourceID("b", "default");
  ResourceID c = new ResourceID("c", "default");

  @Test
  void aLeaseWakesOnlyTheMachinesOnItsBridgeAndThoseOnNetworksKvmopDoesNotName() {
    waiters.waitFor(a, Set.of("kvm00000001"), 0);
    waiters.waitFor(b, Set.of("kvm00000002"), 0);
    waiters.waitFor(c, Set.of(LeaseWaiters.ANY), 0);
    assertThat(waiters.changed("kvm00000001.status", 10)).containsExactlyInAnyOrder(a, c);
    assertThat(waiters.changed("kvm00000002.status", 11)).containsExactlyInAnyOrder(b, c);
    assertThat(waiters.changed("kvm00000001.status.new", 12)).as("not a status file").isEmpty();
    assertThat(waiters.changed("kvm00000001.conf", 13)).isEmpty();
  }

  @Test
  void aMachineThatGotItsAddressOrWentIsNoLongerWoken() {
    waiters.waitFor(a, Set.of("kvm00000001"), 0);
    waiters.waitFor(b, Set.of("kvm00000001"), 0);
    waiters.waitFor(a, Set.of(), 5);
    waiters.remove(b);
    assertThat(waiters.changed("kvm00000001.status", 10)).isEmpty();
    assertThat(waiters.everyone()).isEmpty();
  }

  @Test
  void aLeaseWrittenWhileThePassRanIsNotMissed() {
    waiters.changed("kvm00000001.status", 100);
    assertThat(waiters.waitFor(a, Set.of("kvm00000001"), 50))
        .as("written after the pass started: it may have read the leases before")
        .isTrue();
    assertThat(waiters.waitFor(a, Set.of("kvm00000001"), 150)).as("written before it").isFalse();
    assertThat(waiters.waitFor(b, Set.of("kvm00000002"), 50)).as("another bridge").isFalse();
    assertThat(waiters.waitFor(c, Set.of(LeaseWaiters.ANY), 50)).isTrue();
    assertThat(waiters.everyone()).containsExactlyInAnyOrder(a, b, c);
  }
}
