package io.kvmop;

import io.kvmop.cli.KvmopCommand;
import io.kvmop.logging.LogSettings;

/**
 * kvmop's entry point: the logging settings, then the command line ({@link KvmopCommand}) and its
 * exit code.
 */
public final class Main {
  static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  static {
    // With one or two CPUs (a DaemonSet pod with a small CPU limit) the common pool has a
    // parallelism of one, and CompletableFuture then starts a new thread for every asynchronous
    // step: the HTTP client's completions made thousands of threads a minute under load.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(
          COMMON_POOL_PARALLELISM,
          String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
  }

  private Main() {}

  public static void main(String[] args) {
    String refused = LogSettings.configure(args, System.getenv());
    if (refused != null) {
      System.err.println("kvmop: " + refused);
      System.exit(2);
    }
    System.exit(
        KvmopCommand.commandLine(System.getenv()).execute(KvmopCommand.withDefaultCommand(args)));
  }
}
