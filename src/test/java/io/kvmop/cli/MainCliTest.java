package io.kvmop.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.config.AgentOptions;
import io.kvmop.config.OperatorConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: flags over environment variables over defaults, one config record. */
class MainCliTest {
  @TempDir Path dir;

  static OperatorConfig configOf(CommandLine.ParseResult r) {
    Object cmd = r.subcommand().commandSpec().userObject();
    AgentOptions o =
        cmd instanceof RunCommand run
            ? run.options
            : cmd instanceof DeleteCommand del ? del.options : ((OperatorCommand) cmd).options;
    return o.toConfig();
  }

  @Test
  void aFlagWinsOverItsVariableWhichWinsOverTheDefault() {
    Map<String, String> env =
        Map.of(
            "KVMOP_LIBVIRT_URI", "test:///default", "KVMOP_HTTP_PORT", "9000", "NODE_NAME", "n1");
    OperatorConfig fromEnv = configOf(KvmopCommand.commandLine(env).parseArgs("operator"));
    assertThat(fromEnv.libvirtUri()).isEqualTo("test:///default");
    assertThat(fromEnv.httpPort()).isEqualTo(9000);
    assertThat(fromEnv.nodeName()).isEqualTo("n1");
    assertThat(fromEnv.serialLogDir()).isEqualTo("/var/log/kvmop");

    OperatorConfig flags =
        configOf(
            KvmopCommand.commandLine(env)
                .parseArgs(
                    "operator",
                    "--libvirt-uri",
                    "qemu+ssh://h/system",
                    "--host-recheck-seconds",
                    "0.5",
                    "--storage-pool-path",
                    "/srv/kvm"));
    assertThat(flags.libvirtUri()).isEqualTo("qemu+ssh://h/system");
    assertThat(flags.hostRecheck()).isEqualTo(Duration.ofMillis(500));
    assertThat(flags.storagePoolPath()).isEqualTo("/srv/kvm");
    assertThat(flags.httpPort()).isEqualTo(9000);
  }

  @Test
  void standaloneCommandsTakeTheAgentSettingsToo() {
    OperatorConfig run =
        configOf(
            KvmopCommand.commandLine(Map.of())
                .parseArgs(
                    "run",
                    "--manifests",
                    dir.toString(),
                    "--libvirt-uri",
                    "test:///default",
                    "--until-ready"));
    assertThat(run.libvirtUri()).isEqualTo("test:///default");
    RunCommand cmd =
        (RunCommand)
            KvmopCommand.commandLine(Map.of())
                .parseArgs("run", "--manifests", dir.toString(), "--until-ready")
                .subcommand()
                .commandSpec()
                .userObject();
    assertThat(cmd.untilReady).isEqualTo(300L);
  }

  @Test
  void withoutACommandKvmopIsTheAgent() {
    assertThat(KvmopCommand.withDefaultCommand(new String[0])).containsExactly("operator");
    assertThat(KvmopCommand.withDefaultCommand(new String[] {"--http-port", "1"}))
        .containsExactly("operator", "--http-port", "1");
    assertThat(KvmopCommand.withDefaultCommand(new String[] {"get", "-w"}))
        .containsExactly("get", "-w");
    assertThat(KvmopCommand.withDefaultCommand(new String[] {"--help"})).containsExactly("--help");
  }

  @Test
  void helpListsEverySettingAndBadValuesNameTheirVariable() {
    StringWriter out = new StringWriter();
    CommandLine cl = KvmopCommand.commandLine(Map.of());
    cl.setOut(new PrintWriter(out));
    assertThat(cl.execute("operator", "--help")).isZero();
    assertThat(out.toString())
        .contains(
            "--libvirt-uri",
            "--storage-pool-path",
            "--http-port",
            "--log-level",
            "KVMOP_SOME_FLAG");

    StringWriter err = new StringWriter();
    CommandLine bad = KvmopCommand.commandLine(Map.of("KVMOP_HOST_RECHECK_SECONDS", "soon"));
    bad.setErr(new PrintWriter(err, true));
    assertThat(bad.execute("operator")).as("a bad setting is a usage error").isEqualTo(2);
    assertThat(err.toString())
        .as("named as the DaemonSet set it")
        .contains("KVMOP_HOST_RECHECK_SECONDS='soon': not a number of seconds");

    StringWriter flagErr = new StringWriter();
    CommandLine badFlag = KvmopCommand.commandLine(Map.of());
    badFlag.setErr(new PrintWriter(flagErr, true));
    assertThat(badFlag.execute("run", "--manifests", dir.toString(), "--http-port", "many"))
        .isEqualTo(2);
    assertThat(flagErr.toString()).as("named as typed").contains("--http-port='many'");
    assertThat(
            configOf(
                    KvmopCommand.commandLine(Map.of("KVMOP_REPAIR_DEFAULT_NETWORK", "true"))
                        .parseArgs("operator"))
                .repairDefaultNetwork())
        .isTrue();
  }
}
