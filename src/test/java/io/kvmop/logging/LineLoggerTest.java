package io.kvmop.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LineLoggerTest {
  private final PrintStream err = System.err;

  @AfterEach
  void restore() {
    System.setErr(err);
    LogSettings.configure(new String[] {"--log-level", "info", "--log-format", "text"}, Map.of());
  }

  private String logged(Runnable r) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    r.run();
    System.setErr(err);
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theFlagSetsTheLevelAndWinsOverTheVariable() {
    Logger log = LoggerFactory.getLogger("io.kvmop.test");
    assertThat(
            LogSettings.configure(
                new String[] {"operator", "--log-level=debug"}, Map.of("KVMOP_LOG_LEVEL", "warn")))
        .isNull();
    String out = logged(() -> log.debug("pass {} of {}", 2, "web-1"));
    assertThat(out).isEqualTo("[main] DEBUG io.kvmop.test - pass 2 of web-1\n");

    LogSettings.configure(new String[] {}, Map.of("KVMOP_LOG_LEVEL", "warn"));
    assertThat(logged(() -> log.info("not shown"))).isEmpty();
    assertThat(logged(() -> log.warn("shown"))).contains("WARN io.kvmop.test - shown");
  }

  @Test
  void jsonIsOneObjectPerLineWithTheErrorInside() throws Exception {
    LogSettings.configure(new String[] {"--log-format", "json"}, Map.of());
    Logger log = LoggerFactory.getLogger("io.kvmop.json");
    String out =
        logged(
            () ->
                log.error(
                    "define of \"{}\" failed", "web\n1", new IllegalStateException("code 27")));
    assertThat(out.strip().split("\n")).hasSize(1);
    JsonNode line = new ObjectMapper().readTree(out);
    assertThat(line.path("level").asText()).isEqualTo("ERROR");
    assertThat(line.path("logger").asText()).isEqualTo("io.kvmop.json");
    assertThat(line.path("thread").asText()).isEqualTo("main");
    assertThat(line.path("message").asText()).isEqualTo("define of \"web\n1\" failed");
    assertThat(line.path("error").asText()).startsWith("java.lang.IllegalStateException: code 27");
    assertThat(line.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
  }

  @Test
  void anUnknownLevelOrFormatIsRefusedWithTheValidValues() {
    assertThat(LogSettings.configure(new String[] {"--log-level", "verbose"}, Map.of()))
        .isEqualTo("--log-level verbose: must be one of error, warn, info, debug, trace");
    assertThat(LogSettings.configure(new String[] {}, Map.of("KVMOP_LOG_FORMAT", "xml")))
        .isEqualTo("--log-format xml: must be text or json");
  }
}
