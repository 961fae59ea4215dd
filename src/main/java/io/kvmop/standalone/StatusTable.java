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
import java.util.Map;
import java.util.stream.Stream;

/** `kvmop get`: a kubectl-like table (kind, name, phase, node, IP, age) from the status files. */
public final class StatusTable {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The file of the last pass's manifest problems, in the status directory's root. */
  public static final String PROBLEMS = "manifest-problems.yaml";

  private StatusTable() {}

  private static final String[] HEADER = {"KIND", "NAME", "PHASE", "NODE", "IP", "AGE"};

  public static String render(Path statusDir, Instant now) throws IOException {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    rows.addAll(rows(statusDir, now));
    return format(rows, rows) + problems(statusDir);
  }

  /**
   * {@code kvmop get -w}: the whole table first, then, as kubectl does, only the rows that changed
   * (a resource gone shows once as Deleted), and the problems when they changed.
   */
  public static final class Watch {
    private Map<String, String> shown;
    private String problemsShown = "";

    /** What to print now (empty when nothing changed). */
    public String next(Path statusDir, Instant now) throws IOException {
      List<String[]> rows = rows(statusDir, now);
      String problems = problems(statusDir);
      Map<String, String> current = new java.util.LinkedHashMap<>();
      rows.forEach(r -> current.put(r[0] + " " + r[1], String.join("|", r[2], r[3], r[4])));
      StringBuilder out = new StringBuilder();
      if (shown == null) {
        List<String[]> all = new ArrayList<>();
        all.add(HEADER);
        all.addAll(rows);
        out.append(format(all, all));
      } else {
        List<String[]> changed = new ArrayList<>();
        for (String[] r : rows) {
          if (!current.get(r[0] + " " + r[1]).equals(shown.get(r[0] + " " + r[1]))) {
            changed.add(r);
          }
        }
        for (String k : shown.keySet()) {
          if (!current.containsKey(k)) {
            String[] kn = k.split(" ", 2);
            changed.add(new String[] {kn[0], kn[1], "Deleted", "", "", ""});
          }
        }
        List<String[]> widths = new ArrayList<>(rows);
        widths.add(HEADER);
        widths.addAll(changed);
        out.append(format(changed, widths));
      }
      if (!problems.equals(problemsShown)) {
        out.append(problems.isEmpty() ? "\nevery document applied\n" : problems);
      }
      shown = current;
      problemsShown = problems;
      return out.toString();
    }
  }

  /** One row per status file: kind, namespace/name, phase, node, IP, age. */
  static List<String[]> rows(Path statusDir, Instant now) throws IOException {
    List<String[]> rows = new ArrayList<>();
    if (Files.isDirectory(statusDir)) {
      try (Stream<Path> files = Files.walk(statusDir)) {
        for (Path f :
            files
                .filter(p -> p.toString().endsWith(".yaml"))
                .filter(p -> !p.equals(statusDir.resolve(PROBLEMS)))
                .sorted()
                .toList()) {
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
    return rows;
  }

  /** {@code rows} in columns as wide as the widest of {@code sized}. */
  private static String format(List<String[]> rows, List<String[]> sized) {
    int[] w = new int[6];
    for (String[] r : sized) {
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

  /** The manifest problems of the last pass (documents not applied), or nothing. */
  private static String problems(Path statusDir) throws IOException {
    Path f = statusDir.resolve(PROBLEMS);
    if (!Files.isRegularFile(f)) {
      return "";
    }
    StringBuilder b = new StringBuilder("\nNOT APPLIED\n");
    for (JsonNode p : YAML.readTree(f.toFile())) {
      b.append(p.path("file").asText())
          .append(p.path("line").asInt() > 0 ? ":" + p.path("line").asInt() : "")
          .append(": ")
          .append(p.path("message").asText())
          .append('\n');
    }
    return b.toString();
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
