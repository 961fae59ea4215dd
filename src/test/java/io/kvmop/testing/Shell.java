package io.kvmop.testing;

import java.io.IOException;
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

  /** Runs with a time limit in seconds. */
  public static Result runFor(int seconds, String... command) {
    try {
      Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command) + " did not finish in " + seconds + " s");
      }
      return new Result(
          p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
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
