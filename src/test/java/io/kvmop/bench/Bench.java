package io.kvmop.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * kvmop's benchmark (bench/run.sh runs it): apply to IP against a bare virsh script on real
 * libvirtd, scale on the test driver against a floor measured in the same run, idle cost and
 * memory. Prints a table and writes the figures as JSON. {@code --quick} runs every part small, so
 * CI can check that the harness works; its timings mean little.
 *
 * <pre>
 * Bench [--quick] [--sizes 100,1000,10000] [--only ip,scale,cold,idle,burst,standalone,chaos]
 *       [--runs 5] [--scale-runs 3] [--out FILE]
 * </pre>
 */
public final class Bench {
  /** Held: the mock API logs every request otherwise (a logger's level lives while it does). */
  private static final java.util.logging.Logger QUIET =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private Bench() {}

  /**
   * Exits explicitly: the mock API servers' and HTTP clients' threads would otherwise keep the JVM
   * alive after the last part; a part that fails exits 1 with its stack trace.
   */
  public static void main(String[] args) {
    try {
      run(args);
      System.exit(0);
    } catch (Exception | AssertionError e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  /** Runs the benchmark; returns everything it wrote to the JSON file. */
  public static Map<String, Object> run(String... args) throws Exception {
    QUIET.setLevel(java.util.logging.Level.WARNING);
    List<String> a = Arrays.asList(args);
    boolean quick = a.contains("--quick");
    String sizes = option(a, "--sizes", quick ? "20" : "100,1000,10000");
    String only = option(a, "--only", "all");
    int runs = Integer.parseInt(option(a, "--runs", quick ? "1" : "5"));
    int scaleRunsOption = Integer.parseInt(option(a, "--scale-runs", "3"));
    Path outFile = Path.of(option(a, "--out", "target/bench/results.json"));
    Path dir = Files.createDirectories(Path.of("target/bench/work"));

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("machine", MachineFacts.describe());
    out.put("quick", quick);
    if (wants(only, "ip")) {
      Map<String, Object> ip = new ApplyToIp(dir).run(runs);
      out.put("applyToIp", ip);
      print(List.of(ip));
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    out.put("scale", rows);
    if (List.of("scale", "cold", "idle", "burst", "standalone").stream()
        .anyMatch(p -> wants(only, p))) {
      Scale scale = new Scale(dir);
      Floor floor = new Floor(dir);
      int printed = 0;
      for (String s : sizes.split(",")) {
        int n = Integer.parseInt(s.strip());
        // the floor (mock API writes) varies from run to run as much as kvmop does: with several
        // runs, floor, cold and burst are interleaved and each ratio is of the medians
        int scaleRuns = quick || n > 1000 ? 1 : Math.max(1, scaleRunsOption);
        List<Map<String, Object>> floors = new ArrayList<>();
        List<Map<String, Object>> colds = new ArrayList<>();
        List<Map<String, Object>> bursts = new ArrayList<>();
        for (int r = 0; r < scaleRuns; r++) {
          floors.add(floor.figures(n));
          if (wants(only, "cold")) {
            colds.add(scale.operatorCold(n, 0));
          }
          if (wants(only, "burst")) {
            bursts.add(scale.operatorBurst(n));
          }
        }
        Map<String, Object> f = median(floors, "operatorFloorSeconds");
        f.put("runs", scaleRuns);
        rows.add(f);
        if (!colds.isEmpty()) {
          rows.add(ratio(median(colds, "seconds"), f, "operatorFloorSeconds"));
        }
        if (wants(only, "idle") && (quick || n == 1000)) {
          rows.add(scale.operatorCold(n, quick ? 5 : 60));
        }
        if (!bursts.isEmpty()) {
          rows.add(ratio(median(bursts, "seconds"), f, "operatorFloorSeconds"));
        }
        if (wants(only, "standalone")) {
          rows.add(ratio(scale.standalone(n), f, "standaloneFloorSeconds"));
        }
        print(rows.subList(printed, rows.size()));
        printed = rows.size();
      }
    }
    if (wants(only, "chaos")) {
      Chaos.Plan plan =
          quick ? new Chaos.Plan(50, 4, 2, 3, 1, 3) : new Chaos.Plan(1000, 20, 20, 10, 4, 30);
      Map<String, Object> chaos = new Chaos(dir).run(plan);
      out.put("chaos", chaos);
      print(List.of(chaos));
    }
    table(rows);
    Files.createDirectories(outFile.toAbsolutePath().getParent());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(outFile.toFile(), out);
    System.out.println("figures written to " + outFile);
    return out;
  }

  /**
   * The run whose {@code key} is the median (the lower one of an even count), with all its figures.
   */
  private static Map<String, Object> median(List<Map<String, Object>> runs, String key) {
    List<Map<String, Object>> sorted = new ArrayList<>(runs);
    sorted.sort(java.util.Comparator.comparingDouble(r -> (Double) r.get(key)));
    Map<String, Object> m = sorted.get((sorted.size() - 1) / 2);
    if (runs.size() > 1) {
      m.put(key + "AllRuns", runs.stream().map(r -> r.get(key)).toList());
    }
    return m;
  }

  private static Map<String, Object> ratio(
      Map<String, Object> r, Map<String, Object> floor, String key) {
    double f = (Double) floor.get(key);
    r.put("floorSeconds", f);
    r.put("ratioToFloor", Scale.round((Double) r.get("seconds") / f));
    return r;
  }

  /** Whether --only (a comma-separated list; scale means its four parts) asks for the part. */
  private static boolean wants(String only, String part) {
    List<String> asked = List.of(only.split(","));
    return asked.contains("all")
        || asked.contains(part)
        || (asked.contains("scale")
            && List.of("cold", "idle", "burst", "standalone").contains(part));
  }

  /** The scale figures side by side, as docs/performance.md shows them. */
  static void table(List<Map<String, Object>> rows) {
    String[] cols = {
      "scenario",
      "machines",
      "seconds",
      "floorSeconds",
      "ratioToFloor",
      "rssMiB",
      "heapAfterGcMiB",
      "cpuSeconds"
    };
    StringBuilder b = new StringBuilder("\n| " + String.join(" | ", cols) + " |\n|");
    b.append(" --- |".repeat(cols.length)).append('\n');
    for (Map<String, Object> r : rows) {
      if (!"floor".equals(r.get("scenario"))) {
        b.append('|');
        for (String c : cols) {
          b.append(' ').append(r.getOrDefault(c, "")).append(" |");
        }
        b.append('\n');
      }
    }
    System.out.println(b);
  }

  static void print(List<Map<String, Object>> rows) {
    for (Map<String, Object> r : rows) {
      StringBuilder b = new StringBuilder();
      r.forEach((k, v) -> b.append(k).append('=').append(v).append("  "));
      System.out.println(b.toString().strip());
    }
  }

  private static String option(List<String> a, String name, String dflt) {
    int i = a.indexOf(name);
    return i >= 0 && i + 1 < a.size() ? a.get(i + 1) : dflt;
  }
}
