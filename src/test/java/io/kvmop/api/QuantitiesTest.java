package io.kvmop.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QuantitiesTest {
  @Test
  void sizesAsKubernetesQuantities() {
    assertThat(Quantities.bytes("512Mi")).contains(512L << 20);
    assertThat(Quantities.bytes("1.5Gi")).contains(1610612736L);
    assertThat(Quantities.bytes("2G")).contains(2_000_000_000L);
    assertThat(Quantities.bytes("512M")).contains(512_000_000L);
    assertThat(Quantities.bytes("64k")).contains(64_000L);
    assertThat(Quantities.bytes("1e9")).contains(1_000_000_000L);
    assertThat(Quantities.bytes("2147483648")).contains(2147483648L);
    assertThat(Quantities.bytes(".5Ki")).contains(512L);
    assertThat(Quantities.bytes("0.1")).contains(1L); // a fraction of a byte rounds up
    assertThat(Quantities.kib("2G")).contains(1953125L);
    assertThat(Quantities.kib("1.5Gi")).contains(1572864L);
  }

  @Test
  void notSizes() {
    for (String bad :
        new String[] {"2GB", "1.5.0Gi", "-1Gi", "Gi", "", "1 Gi", "8Ei", "9e99", "1m", "0x10"}) {
      assertThat(Quantities.bytes(bad)).as(bad).isEmpty();
    }
    assertThat(Quantities.bytes("7Ei")).contains(7L << 60);
  }

  @Test
  void durationsAsGoAndKubectlWriteThem() {
    assertThat(Quantities.duration("90s")).contains(Duration.ofSeconds(90));
    assertThat(Quantities.duration("1m30s")).contains(Duration.ofSeconds(90));
    assertThat(Quantities.duration("1.5h")).contains(Duration.ofMinutes(90));
    assertThat(Quantities.duration("2h45m")).contains(Duration.ofMinutes(165));
    assertThat(Quantities.duration("500ms")).contains(Duration.ofMillis(500));
    assertThat(Quantities.duration("250us")).contains(Duration.ofNanos(250_000));
    assertThat(Quantities.duration("0")).contains(Duration.ZERO);
    for (String bad : new String[] {"soon", "90", "1d", "m", "1m30", "-5s", "", "99999999999h"}) {
      assertThat(Quantities.duration(bad)).as(bad).isEmpty();
    }
  }

  @Test
  void aManifestMayWriteASizeAsANumberOrAString() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    KvmMachineSpec s =
        yaml.readValue(
            "memory: 2147483648\ndisks: [{name: data, size: 1.5Gi}]\nshutdownTimeout: 1m30s\n",
            KvmMachineSpec.class);
    assertThat(s.memory).isEqualTo("2147483648");
    assertThat(Quantities.kib(s.memory)).contains(2L << 20);
    assertThat(Quantities.bytes(s.disks.get(0).size)).contains(1610612736L);
    assertThat(Quantities.duration(s.shutdownTimeout))
        .isEqualTo(Optional.of(Duration.ofSeconds(90)));
  }
}
