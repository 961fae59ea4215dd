package io.kvmop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Which VNC viewer kvmop vnc starts, and with what address. */
class VncViewerTest {
  @TempDir Path bin;

  VncCommand parsed(String... args) {
    VncCommand c = new VncCommand();
    new CommandLine(c).parseArgs(args);
    return c;
  }

  @Test
  void autoStartsTheFirstInstalledViewerOnlyWithADisplay() throws Exception {
    Path vnc = Files.createFile(bin.resolve("vncviewer"));
    vnc.toFile().setExecutable(true);
    Map<String, String> noDisplay = Map.of("PATH", bin.toString());
    Map<String, String> display = Map.of("PATH", bin.toString(), "DISPLAY", ":0");
    assertThat(parsed("web-1").viewerCommand(5901, noDisplay)).isEmpty();
    assertThat(parsed("web-1").viewerCommand(5901, display))
        .containsExactly("vncviewer", "127.0.0.1::5901");
    Path remote = Files.createFile(bin.resolve("remote-viewer"));
    remote.toFile().setExecutable(true);
    assertThat(parsed("web-1").viewerCommand(5901, display))
        .containsExactly("remote-viewer", "vnc://127.0.0.1:5901");
    assertThat(parsed("web-1", "--viewer", "none").viewerCommand(5901, display)).isEmpty();
    assertThat(parsed("web-1", "--viewer", "/opt/tiger/vncviewer").viewerCommand(5901, Map.of()))
        .containsExactly("/opt/tiger/vncviewer", "127.0.0.1::5901");
  }

  @Test
  void withoutAnyViewerAutoOnlyForwards() {
    assertThat(
            parsed("web-1")
                .viewerCommand(5901, Map.of("PATH", bin.toString(), "WAYLAND_DISPLAY", "w")))
        .isEmpty();
  }
}
