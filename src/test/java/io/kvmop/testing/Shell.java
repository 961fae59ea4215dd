package io.kvmop.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a host command the way a person would type it, for tests on the real host. */
public final class Shell {
  private Shell() {}

  public record Result(int exit, String output) {
    public boolean ok() {
      return exit == 0;
    }
  }

  public static Result run(String... command) {
    return runFor(60, command);
  }

  /**
   * Runs with a time limit in seconds. The output is read while the command runs: a command that
   * writes more than a pipe holds would otherwise block and never finish.
   */
  public static Result runFor(int seconds, String... command) {
    try {
      Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Thread reader =
          new Thread(
              () -> {
                try (InputStream in = p.getInputStream()) {
                  in.transferTo(out);
                } catch (IOException e) {
                  // the process was killed; what was read is kept
                }
              },
              "shell-output");
      reader.setDaemon(true);
      reader.start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        reader.join(5_000);
        throw new IllegalStateException(
            String.join(" ", command)
                + " did not finish in "
                + seconds
                + " s; its last output:\n"
                + tail(out.toString(StandardCharsets.UTF_8), 4_000));
      }
      reader.join();
      return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String tail(String s, int chars) {
    return s.length() <= chars ? s : "..." + s.substring(s.length() - chars);
  }

  /** Runs and fails the test when the command fails. */
  public static String must(String... command) {
    Result r = run(command);
    if (!r.ok()) {
      throw new AssertionError(String.join(" ", command) + " failed: " + r.output());
    }
    return r.output();
  }
}
