package io.kvmop.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RecheckPolicyTest {
  @Test
  void pastTheIpWaitTimeoutAddressesAreReadEverLessOftenUpToFiveMinutes() {
    assertThat(RecheckPolicy.afterTimeout(Duration.ZERO)).isEqualTo(Duration.ofSeconds(5));
    assertThat(RecheckPolicy.afterTimeout(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(5));
    assertThat(RecheckPolicy.afterTimeout(Duration.ofMinutes(2))).isEqualTo(Duration.ofSeconds(30));
    assertThat(RecheckPolicy.afterTimeout(Duration.ofHours(3))).isEqualTo(Duration.ofMinutes(5));
  }
}
