package io.kvmop.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine the figures were taken on: CPU model and count, memory, kernel, Java. */
final class MachineFacts {
  private MachineFacts() {}

  static Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    m.put("cpuModel", first("/proc/cpuinfo", "model name"));
    m.put("memTotal", first("/proc/meminfo", "MemTotal"));
    m.put("kernel", System.getProperty("os.version"));
    m.put("java", System.getProperty("java.version"));
    m.put("date", java.time.Instant.now().toString());
    return m;
  }

  private static String first(String file, String key) {
    try {
      return Files.readAllLines(Path.of(file)).stream()
          .filter(l -> l.startsWith(key))
          .map(l -> l.substring(l.indexOf(':') + 1).strip())
          .findFirst()
          .orElse("?");
    } catch (IOException e) {
      return "?";
    }
  }
}
