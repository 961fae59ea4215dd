package io.kvmop.testing;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.cli.ConsoleBridge;
import io.kvmop.cli.ConsoleCommand;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/** Types a command on a test guest's serial console with kvmop console, until it answers. */
public final class GuestConsole {
  private GuestConsole() {}

  public static void type(String machine, String libvirtUri, String command, String answer)
      throws Exception {
    PipedOutputStream keys = new PipedOutputStream();
    PipedInputStream in = new PipedInputStream(keys);
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    ConsoleCommand console =
        new ConsoleCommand().using(in, new PrintStream(screen, true, StandardCharsets.UTF_8));
    CompletableFuture<Integer> session =
        CompletableFuture.supplyAsync(
            () ->
                new CommandLine(console)
                    .execute(
                        machine,
                        "-n",
                        "default",
                        "--local",
                        "--libvirt-uri",
                        libvirtUri,
                        "--force"));
    within(20).until(() -> screen.toString(StandardCharsets.UTF_8).contains("Escape character"));
    for (int i = 0; i < 15 && !screen.toString(StandardCharsets.UTF_8).contains(answer); i++) {
      keys.write((command + "\r").getBytes(StandardCharsets.US_ASCII));
      keys.flush();
      try {
        within(3).until(() -> screen.toString(StandardCharsets.UTF_8).contains(answer));
      } catch (org.awaitility.core.ConditionTimeoutException garbled) {
        // typed again
      }
    }
    keys.write(ConsoleBridge.ESCAPE);
    keys.flush();
    session.get(10, TimeUnit.SECONDS);
    assertThat(screen.toString(StandardCharsets.UTF_8)).contains(answer);
  }
}
