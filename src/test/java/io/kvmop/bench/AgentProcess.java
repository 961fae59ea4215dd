package io.kvmop.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One kvmop process as a user runs it ({@code java -jar target/kvmop.jar ...}), with what the
 * benchmark reads from outside: resident memory and CPU time from /proc, heap from jcmd, libvirt
 * calls from its /metrics.
 */
final class AgentProcess implements AutoCloseable {
  /** The JVM options the chart, the image and the scripts give the agent. */
  static final List<String> JVM_OPTIONS =
      List.of(
          "-Xms64m -Xmx256m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40"
              .split(" "));

  /** The environment the chart, the image and the scripts give the agent's JVM. */
  static final Map<String, String> ENV = Map.of("MALLOC_ARENA_MAX", "1");

  private final Process process;
  final int httpPort;

  private AgentProcess(Process process, int httpPort) {
    this.process = process;
    this.httpPort = httpPort;
  }

  static AgentProcess start(Path log, Map<String, String> env, String... args) {
    int port = freePort();
    List<String> cmd = new ArrayList<>(List.of("java"));
    String options = System.getProperty("kvmop.bench.jvmOptions");
    cmd.addAll(options == null ? JVM_OPTIONS : List.of(options.split(" ")));
    String jfr = System.getProperty("kvmop.bench.jfr");
    if (jfr != null) {
      cmd.add("-XX:StartFlightRecording=filename=" + jfr + "-%p.jfr,settings=profile");
    }
    cmd.addAll(List.of("-jar", "target/kvmop.jar"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(io.kvmop.testing.AgentCapabilities.confine(cmd))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    pb.environment().putAll(ENV);
    String arenas = System.getProperty("kvmop.bench.mallocArenas");
    if (arenas != null) {
      pb.environment().put("MALLOC_ARENA_MAX", arenas);
    }
    pb.environment().put("KVMOP_HTTP_PORT", String.valueOf(port));
    try {
      return new AgentProcess(pb.start(), port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  int waitFor(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new IllegalStateException("kvmop did not finish within " + seconds + " s");
    }
    return process.exitValue();
  }

  /** Resident memory in MiB (VmRSS). */
  double rssMiB() {
    return procStatus("VmRSS") / 1024.0;
  }

  private long procStatus(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return -1;
  }

  /** User plus system CPU time, in seconds. */
  double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Heap in use after a full collection, in MiB (jcmd GC.run, then GC.heap_info). */
  double heapAfterGcMiB() {
    jcmd("GC.run");
    String histogramTo = System.getProperty("kvmop.bench.histogram");
    if (histogramTo != null) { // profiling: what the live heap holds, by class
      try {
        Files.writeString(Path.of(histogramTo + "-" + pid() + ".txt"), jcmd("GC.class_histogram"));
        Files.writeString(Path.of(histogramTo + "-" + pid() + ".metrics"), metrics());
        // with -XX:NativeMemoryTracking=summary in kvmop.bench.jvmOptions: where the rest goes
        Files.writeString(
            Path.of(histogramTo + "-" + pid() + ".nmt"), jcmd("VM.native_memory summary"));
        Files.copy(
            Path.of("/proc/" + pid() + "/smaps"), Path.of(histogramTo + "-" + pid() + ".smaps"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    long used = 0;
    for (String line : jcmd("GC.heap_info").split("\n")) {
      Matcher m = Pattern.compile("used (\\d+)K").matcher(line);
      if (!line.contains("Metaspace") && !line.contains("class space") && m.find()) {
        used += Long.parseLong(m.group(1)); // G1's one heap line, or Serial's two generations
      }
    }
    return used / 1024.0;
  }

  private String jcmd(String what) {
    try {
      Process p = new ProcessBuilder("jcmd", String.valueOf(pid()), what).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** libvirt calls made so far, as the agent's /metrics counts them. */
  long libvirtCalls() {
    return (long) metricSum("kvmop_libvirt_calls_seconds_count");
  }

  double metricSum(String name) {
    return metricSum(name, "");
  }

  /** The sum of the series of {@code name} whose labels contain {@code label} (e.g. stage="x"). */
  double metricSum(String name, String label) {
    return metricSum(metrics(), name, label);
  }

  /** The same, in a /metrics text already read. */
  static double metricSum(String metrics, String name, String label) {
    double sum = 0;
    for (String line : metrics.split("\n")) {
      if ((line.startsWith(name + "{") || line.startsWith(name + " ")) && line.contains(label)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** The agent's /metrics, as Prometheus reads it. */
  String metrics() {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** SIGKILL, as a crash or an OOM kill would end it. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
