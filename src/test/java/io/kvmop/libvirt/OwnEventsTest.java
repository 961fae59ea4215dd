package io.kvmop.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OwnEventsTest {
  OwnEvents own = new OwnEvents();

  @Test
  void theEventOfAnOwnCallIsAnEchoOnceAndOthersAreNot() {
    own.expect("kvmop-default-web-1", "STARTED", 0);
    assertThat(own.echo("kvmop-default-web-1", "STOPPED", 1)).as("another kind").isFalse();
    assertThat(own.echo("kvmop-default-web-2", "STARTED", 1)).as("another domain").isFalse();
    assertThat(own.echo("kvmop-default-web-1", "STARTED", 2)).isTrue();
    assertThat(own.echo("kvmop-default-web-1", "STARTED", 3))
        .as("a second start (someone else's) is news")
        .isFalse();
  }

  @Test
  void aFailedCallCausesNothingAndAnEventThatNeverCameLapses() {
    own.expect("d", "DEFINED", 0);
    own.cancel("d", "DEFINED");
    assertThat(own.echo("d", "DEFINED", 1)).isFalse();
    own.expect("d", "STARTED", 0);
    assertThat(own.echo("d", "STARTED", OwnEvents.LAPSE_NANOS + 1)).isFalse();
  }
}
