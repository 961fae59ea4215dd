package io.kvmop;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.testing.TestDriver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * One kvmop per manifest directory: while {@code kvmop run} works on a directory (another process,
 * as a user has it in another terminal), {@code kvmop delete} and a second run refuse and say who
 * holds it, touching nothing; once the run is killed (kill -9), delete proceeds.
 */
class StandaloneLockIT {
  @TempDir Path dir;
  Process running;

  @AfterEach
  void stop() {
    if (running != null) {
      running.destroyForcibly();
    }
  }

  private List<String> settings(String uri) {
    return List.of(
        "--manifests",
        dir.resolve("manifests").toString(),
        "--libvirt-uri",
        uri,
        "--storage-pool-name",
        "kvmoplock",
        "--storage-pool-path",
        dir.resolve("pool").toString(),
        "--serial-log-dir",
        dir.resolve("logs").toString(),
        "--host-root",
        dir.resolve("host").toString());
  }

  private record Outcome(int exit, String err) {}

  private Outcome kvmop(String command, String uri) {
    CommandLine cl = io.kvmop.cli.KvmopCommand.commandLine(Map.of());
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(settings(uri));
    int exit = cl.execute(args.toArray(String[]::new));
    return new Outcome(exit, err.toString());
  }

  @Test
  void deleteAndASecondRunRefuseWhileARunHoldsTheDirectory() throws Exception {
    Path manifests = Files.createDirectories(dir.resolve("manifests"));
    Files.writeString(
        manifests.resolve("net.yaml"),
        """
        apiVersion: kvmop.io/v1alpha1
        kind: KvmNetwork
        metadata: {name: lab}
        spec:
          mode: isolated
          ipv4: {cidr: 10.90.0.0/24}
        """);
    String uri = TestDriver.privateUri(dir);
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.kvmop.Main");
    cmd.add("run");
    cmd.addAll(settings(uri));
    running =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("run.log").toFile())
            .start();
    Path status = manifests.resolve(".status/KvmNetwork/default/lab.yaml");
    within(60).until(() -> Files.exists(status));
    String before = Files.readString(status);

    Outcome delete = kvmop("delete", uri);
    assertThat(delete.exit()).isEqualTo(1);
    assertThat(delete.err())
        .contains("another kvmop (kvmop run, pid " + running.pid())
        .contains("is working on " + manifests)
        .contains("stop it first (Ctrl-C), then run delete again");
    assertThat(Files.readString(status)).as("delete touched nothing").isEqualTo(before);
    Outcome second = kvmop("run", uri);
    assertThat(second.exit()).isEqualTo(1);
    assertThat(second.err()).contains("kvmop run, pid " + running.pid());
    assertThat(running.isAlive()).as(Files.readString(dir.resolve("run.log"))).isTrue();

    running.destroyForcibly().waitFor(); // kill -9: the OS releases the lock
    Outcome after = kvmop("delete", uri);
    assertThat(after.exit()).as(after.err()).isZero();
    assertThat(manifests.resolve(".status/KvmNetwork/default/lab.yaml")).doesNotExist();
  }
}
