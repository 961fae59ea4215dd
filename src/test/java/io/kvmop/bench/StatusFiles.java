package io.kvmop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Standalone mode's counterpart of {@link Convergence}: watches the machines' status files
 * (inotify) and counts those whose domain runs (condition Running true for the current generation).
 */
final class StatusFiles implements AutoCloseable {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private final Path dir;
  private final WatchService watch;
  private final Set<String> running = new HashSet<>();
  private long firstRunning;

  StatusFiles(Path machineStatusDir) throws IOException {
    this.dir = Files.createDirectories(machineStatusDir);
    this.watch = dir.getFileSystem().newWatchService();
    dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
  }

  long awaitRunning(int n, long timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (running.size() < n) {
      WatchKey key = watch.poll(200, TimeUnit.MILLISECONDS);
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            running.size() + " of " + n + " machines running after " + timeoutSeconds + " s");
      }
      if (key == null) {
        continue;
      }
      for (var e : key.pollEvents()) {
        if (e.context() instanceof Path p && p.toString().endsWith(".yaml")) {
          note(dir.resolve(p));
        }
      }
      key.reset();
    }
    return System.nanoTime();
  }

  long firstRunning() {
    return firstRunning;
  }

  private void note(Path f) {
    try {
      JsonNode status = YAML.readTree(f.toFile()).path("status");
      boolean up = false;
      for (JsonNode c : status.path("conditions")) {
        up |= "Running".equals(c.path("type").asText()) && "True".equals(c.path("status").asText());
      }
      if (up && running.add(f.getFileName().toString()) && firstRunning == 0) {
        firstRunning = System.nanoTime();
      } else if (!up) {
        running.remove(f.getFileName().toString());
      }
    } catch (IOException e) {
      // replaced while read: the next event reads it again
    }
  }

  @Override
  public void close() throws IOException {
    watch.close();
  }
}
