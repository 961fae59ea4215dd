package io.kvmop.standalone;

import static io.kvmop.testing.Shell.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.kvmop.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, as a newcomer runs it (with the jar this build made): the demo
 * machine comes up on real libvirtd and its address is printed and shown by kvmop get; --delete
 * removes it all.
 */
@org.junit.jupiter.api.Tag("system")
class QuickstartIT {

  private static Shell.Result script(String... args) {
    String[] cmd = new String[args.length + 4];
    cmd[0] = "env";
    cmd[1] = "KVMOP_SKIP_BUILD=1";
    cmd[2] = "bash";
    cmd[3] = "operator/quickstart.sh";
    System.arraycopy(args, 0, cmd, 4, args.length);
    return Shell.runFor(600, cmd);
  }

  @AfterEach
  void cleanUp() {
    if (!System.getProperty("kvmop.it.systemUri", "").isBlank()) {
      script("--delete");
    }
  }

  @Test
  void theFirstCommandBringsUpTheDemoMachineAndDeleteRemovesIt() throws Exception {
    assumeFalse(System.getProperty("kvmop.it.systemUri", "").isBlank(), "no real libvirtd");
    long t0 = System.nanoTime();
    Shell.Result up = script("--until-ready", "300");
    System.out.printf("quickstart --until-ready: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    assertThat(up.exit()).as(up.output()).isZero();
    assertThat(up.output()).containsPattern("machine default/demo is Ready: 10\\.239\\.0\\.\\d+");
    assertThat(up.output())
        .as("a definition kvmop just wrote is not mistaken for a hand edit")
        .doesNotContain("changed outside kvmop");
    String table =
        run("java", "-jar", "target/kvmop.jar", "get", "--manifests", "examples/quickstart")
            .output();
    assertThat(table)
        .contains("KvmMachine", "default/demo", "Running")
        .containsPattern("10\\.239\\.0\\.\\d+");
    assertThat(table).contains("KvmNetwork", "default/quickstart", "Ready");

    Shell.Result down = script("--delete");
    assertThat(down.exit()).as(down.output()).isZero();
    assertThat(run("virsh", "dominfo", "kvmop-default-demo").ok()).isFalse();
    assertThat(Files.exists(Path.of("examples/quickstart/.status/KvmMachine/default/demo.yaml")))
        .isFalse();
  }
}
