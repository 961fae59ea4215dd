package io.kvmop.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A second KVM node on this machine (src/test/guest/second-node.sh): a libvirtd in its own mount
 * and network namespaces, joined to the host by a veth pair, with its own copies of the paths given
 * as private (kvmop's pool, the serial logs). Its agent runs inside those namespaces too.
 */
public final class SecondNode implements AutoCloseable {
  public static final String HOST_ADDRESS = "10.251.0.1";
  public static final String NODE_ADDRESS = "10.251.0.2";

  public final Path dir;
  public final long holder;
  private final List<Path> privatePaths;
  private final List<Process> processes = new ArrayList<>();

  private SecondNode(Path dir, long holder, List<Path> privatePaths) {
    this.dir = dir;
    this.holder = holder;
    this.privatePaths = privatePaths;
  }

  /** Starts it (after stopping what an earlier run left in {@code dir}). */
  public static SecondNode start(Path dir, List<Path> privatePaths) {
    ProcessBuilder pb =
        new ProcessBuilder(
                "bash",
                "src/test/guest/second-node.sh",
                "start",
                dir.toString(),
                HOST_ADDRESS,
                NODE_ADDRESS)
            .redirectErrorStream(true);
    pb.environment()
        .put(
            "SECOND_NODE_PRIVATE",
            String.join(" ", privatePaths.stream().map(Path::toString).toList()));
    try {
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes()).strip();
      if (p.waitFor() != 0) {
        throw new IllegalStateException("second-node.sh start failed: " + out);
      }
      String[] lines = out.split("\n");
      return new SecondNode(dir, Long.parseLong(lines[lines.length - 1].strip()), privatePaths);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Its libvirtd, as the host (and the node itself) reach it. */
  public String libvirtUri() {
    return "qemu+unix:///system?socket=" + dir.resolve("sock/libvirt-sock");
  }

  /** Where the host sees the node's own copy of one of its private paths. */
  public Path privateCopy(Path path) {
    int i = privatePaths.indexOf(path);
    if (i < 0) {
      throw new IllegalArgumentException(path + " is not private to the node");
    }
    return dir.resolve("priv").resolve(String.valueOf(i));
  }

  /** Runs a command inside the node's namespaces (its files, its network). */
  public Shell.Result run(String... command) {
    List<String> cmd =
        new ArrayList<>(List.of("nsenter", "-t", String.valueOf(holder), "-m", "-n", "--"));
    cmd.addAll(List.of(command));
    return Shell.run(cmd.toArray(new String[0]));
  }

  /** Starts a long-running process inside the node (its agent), output to {@code log}. */
  public Process spawn(Path log, Map<String, String> env, List<String> command) {
    List<String> cmd =
        new ArrayList<>(List.of("nsenter", "-t", String.valueOf(holder), "-m", "-n", "--"));
    cmd.addAll(command);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      processes.add(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    Shell.run("bash", "src/test/guest/second-node.sh", "stop", dir.toString());
    try {
      Files.deleteIfExists(dir.resolve("holder.pid"));
    } catch (IOException e) {
      // stopped anyway
    }
  }
}
