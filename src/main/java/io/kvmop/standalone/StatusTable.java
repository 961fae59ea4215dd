package io.kvmop.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** `kvmop get`: a kubectl-like table (kind, name, phase, node, IP, age) from the status files. */
public final class StatusTable {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private StatusTable() {}

  public static String render(Path statusDir, Instant now) throws IOException {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"KIND", "NAME", "PHASE", "NODE", "IP", "AGE"});
    if (Files.isDirectory(statusDir)) {
      try (Stream<Path> files = Files.walk(statusDir)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
          JsonNode d = YAML.readTree(f.toFile());
          JsonNode s = d.path("status");
          String ip =
              s.path("ipAddresses").isArray() && s.path("ipAddresses").size() > 0
                  ? s.path("ipAddresses").get(0).asText()
                  : "";
          String node =
              s.path("nodeName")
                  .asText(
                      s.path("nodes").isArray() && s.path("nodes").size() > 0
                          ? s.path("nodes").get(0).path("node").asText("")
                          : "");
          rows.add(
              new String[] {
                d.path("kind").asText(),
                d.path("namespace").asText() + "/" + d.path("name").asText(),
                d.hasNonNull("manifestProblem")
                    ? s.path("phase").asText("") + " (InvalidManifest)"
                    : s.path("phase").asText(""),
                node,
                ip,
                age(created(d, f), now)
              });
        }
      }
    }
    int[] w = new int[6];
    for (String[] r : rows) {
      for (int i = 0; i < 6; i++) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (String[] r : rows) {
      for (int i = 0; i < 6; i++) {
        b.append(String.format("%-" + (w[i] + 3) + "s", r[i]));
      }
      b.append('\n');
    }
    return b.toString().replaceAll(" +\n", "\n");
  }

  /** When the resource was first reported; status files of older versions: when last written. */
  private static Instant created(JsonNode doc, Path f) throws IOException {
    try {
      return Instant.parse(doc.path("created").asText());
    } catch (java.time.format.DateTimeParseException e) {
      return Files.getLastModifiedTime(f).toInstant();
    }
  }

  private static String age(Instant since, Instant now) {
    Duration d = Duration.between(since, now);
    return d.toHours() > 0
        ? d.toHours() + "h"
        : d.toMinutes() > 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
  }
}
