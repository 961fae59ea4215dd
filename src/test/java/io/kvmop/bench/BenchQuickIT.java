package io.kvmop.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * bench/run.sh --quick, as CI runs it: every part of the benchmark on a small fleet. It fails when
 * the harness breaks (or chaos leaves the host other than declared), never on a timing.
 */
@Tag("system")
class BenchQuickIT {
  @Test
  @SuppressWarnings("unchecked")
  void theQuickBenchmarkRunsEveryPartAndWritesItsFigures() throws Exception {
    assumeFalse(System.getProperty("kvmop.it.systemUri", "").isBlank(), "no real libvirtd");
    Map<String, Object> out = Bench.run("--quick", "--out", "target/bench/quick.json");
    Map<String, Object> ip = (Map<String, Object>) out.get("applyToIp");
    assertThat((Double) ip.get("virshMedianSeconds")).isPositive();
    assertThat((Double) ip.get("standaloneMedianSeconds")).isPositive();
    assertThat((Double) ip.get("operatorMedianSeconds")).isPositive();
    List<Map<String, Object>> scale = (List<Map<String, Object>>) out.get("scale");
    assertThat(scale)
        .extracting(r -> r.get("scenario"))
        .contains("floor", "operator cold", "operator idle", "operator burst", "standalone");
    assertThat(scale)
        .filteredOn(r -> !"floor".equals(r.get("scenario")))
        .allSatisfy(
            r -> {
              assertThat((Double) r.get("seconds")).isPositive();
              assertThat((Double) r.get("rssMiB")).isPositive();
            });
    Map<String, Object> chaos = (Map<String, Object>) out.get("chaos");
    assertThat((Integer) chaos.get("kills")).isGreaterThanOrEqualTo(6);
    assertThat((Long) chaos.get("objectsChecked")).isPositive();
  }
}
