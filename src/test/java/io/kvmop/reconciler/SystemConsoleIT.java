package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.BootSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.cli.ConsoleBridge;
import io.kvmop.cli.ConsoleCommand;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.SystemLeftovers;
import io.kvmop.testing.TestGuest;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * kvmop console on a real guest: a line typed into the console runs in the guest's shell and its
 * answer comes back; Ctrl+] leaves; the serial log file is written all the while.
 */
class SystemConsoleIT extends SystemItBase {
  static final String NAME = SystemLeftovers.PREFIX + "console";

  @Test
  void aLineTypedIntoTheConsoleIsAnsweredByTheGuest() throws Exception {
    Path guest = TestGuest.build();
    KvmMachine m = Fixtures.machine("default", NAME);
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-a";
    m.getSpec().memory = "128Mi";
    m.getSpec().shutdownTimeout = "2s";
    m.getSpec().boot = new BootSpec();
    m.getSpec().boot.kernel = guest.resolve("vmlinuz").toString();
    m.getSpec().boot.initrd = guest.resolve("initrd.gz").toString();
    m.getSpec().boot.cmdline = "console=ttyS0";
    k8s.create(m);
    KvmMachine up = k8s.awaitMachine(NAME, "Ready", true, "Running", 120);
    Path log = Path.of(up.getStatus().serialLogPath);
    within(120)
        .until(
            () -> Files.exists(log) && Files.readString(log).contains("kvmop-guest: init running"));

    PipedOutputStream keys = new PipedOutputStream();
    PipedInputStream in = new PipedInputStream(keys);
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    ConsoleCommand console =
        new ConsoleCommand().using(in, new PrintStream(screen, true, StandardCharsets.UTF_8));
    CompletableFuture<Integer> session =
        CompletableFuture.supplyAsync(
            () ->
                new CommandLine(console)
                    .execute(NAME, "-n", "default", "--local", "--libvirt-uri", uri));
    within(20).until(() -> screen.toString(StandardCharsets.UTF_8).contains("Escape character"));
    // busybox's shell asks the terminal where its cursor is (ESC [6n) after each prompt and takes
    // the next keys as the answer: a line typed at that moment is garbled, so type it again
    for (int i = 0; i < 10 && !screen.toString(StandardCharsets.UTF_8).contains("kvmop-42"); i++) {
      keys.write("echo kvmop-$((6*7))\r".getBytes(StandardCharsets.US_ASCII));
      keys.flush();
      try {
        within(3).until(() -> screen.toString(StandardCharsets.UTF_8).contains("kvmop-42"));
      } catch (org.awaitility.core.ConditionTimeoutException garbled) {
        // typed again
      }
    }
    assertThat(screen.toString(StandardCharsets.UTF_8)).contains("kvmop-42");

    // a second session while the first holds the console: said in one line, with the way out
    ByteArrayOutputStream second = new ByteArrayOutputStream();
    int busy =
        new CommandLine(
                new ConsoleCommand()
                    .using(new java.io.ByteArrayInputStream(new byte[0]), new PrintStream(second)))
            .execute(NAME, "-n", "default", "--local", "--libvirt-uri", uri);
    assertThat(busy).isEqualTo(1);
    assertThat(second.toString())
        .contains("is in use by another session; kvmop console " + NAME + " --force takes it over")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    keys.write(ConsoleBridge.ESCAPE);
    keys.flush();
    assertThat(session.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(screen.toString(StandardCharsets.UTF_8))
        .as("the guest computed it: not just the typed text echoed")
        .contains("echo kvmop-$((6*7))", "kvmop-42");
    within(10).until(() -> Files.readString(log).contains("kvmop-42"));

    ByteArrayOutputStream none = new ByteArrayOutputStream();
    int exit =
        new CommandLine(
                new ConsoleCommand()
                    .using(new java.io.ByteArrayInputStream(new byte[0]), new PrintStream(none)))
            .execute("not-there", "-n", "default", "--local", "--libvirt-uri", uri);
    assertThat(exit).isEqualTo(1);
    assertThat(none.toString()).contains("no domain of KvmMachine default/not-there");

    k8s.delete(k8s.machine(NAME));
    within(60).until(() -> k8s.machine(NAME) == null);
  }
}
