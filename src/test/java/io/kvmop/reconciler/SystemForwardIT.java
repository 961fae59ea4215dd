package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.BootSpec;
import io.kvmop.api.GraphicsSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.NetworkMode;
import io.kvmop.cli.ForwardCommand;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.SystemLeftovers;
import io.kvmop.testing.TestGuest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * kvmop vnc and kvmop port-forward on a real guest: the VNC display listens on the node's loopback
 * only and answers through the forwarded port with the RFB greeting; a TCP echo service in the
 * guest, on an isolated network, answers through a forwarded local port; kvmop ssh logs in to the
 * guest's ssh server with the key cloud-init handed it and runs a command there, and without the
 * key is refused.
 */
class SystemForwardIT extends SystemItBase {
  static final String NAME = SystemLeftovers.PREFIX + "fwd";

  /** kvmop ssh's own host-key file for this test (never the home directory's). */
  Path knownHosts;

  static final Pattern PORT = Pattern.compile("127\\.0\\.0\\.1:(\\d+)");

  /** Runs the command until interrupted; returns the thread and the local port it printed. */
  record Running(Thread thread, int port) {}

  Running start(ForwardCommand cmd, String... args) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int[] exit = {-1};
    Thread t =
        new Thread(
            () -> exit[0] = new CommandLine(cmd.using(new PrintStream(buf, true))).execute(args));
    t.start();
    within(30).until(() -> PORT.matcher(buf.toString()).find() || exit[0] >= 0);
    Matcher m = PORT.matcher(buf.toString());
    assertThat(m.find()).as(buf.toString()).isTrue();
    return new Running(t, Integer.parseInt(m.group(1)));
  }

  @Test
  void vncAndATcpPortOfTheGuestReachedThroughForwardedLocalPorts() throws Exception {
    Path guest = TestGuest.build();
    k8s.create(
        SystemLeftovers.PREFIX + "fwdnet", Fixtures.spec(NetworkMode.ISOLATED, "10.251.12.0/24"));
    k8s.awaitReady(SystemLeftovers.PREFIX + "fwdnet", true, "Active");
    KvmMachine m = Fixtures.machine("default", NAME, SystemLeftovers.PREFIX + "fwdnet");
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-a";
    m.getSpec().memory = "128Mi";
    m.getSpec().shutdownTimeout = "2s";
    m.getSpec().graphics = new GraphicsSpec();
    m.getSpec().graphics.type = "vnc";
    m.getSpec().boot = new BootSpec();
    m.getSpec().boot.kernel = guest.resolve("vmlinuz").toString();
    m.getSpec().boot.initrd = guest.resolve("initrd.gz").toString();
    m.getSpec().boot.cmdline = "console=ttyS0";
    // a key of this test's own, handed to the guest as cloud-init's ssh_authorized_keys
    Path keys = java.nio.file.Files.createTempDirectory("kvmop-ssh");
    knownHosts = keys.resolve("known_hosts");
    Path key = keys.resolve("id_ed25519");
    io.kvmop.testing.Shell.must(
        "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString());
    m.getSpec().cloudInit = new io.kvmop.api.CloudInitSpec();
    m.getSpec().cloudInit.sshAuthorizedKeys =
        java.util.List.of(java.nio.file.Files.readString(keys.resolve("id_ed25519.pub")).strip());
    k8s.create(m);
    KvmMachine up = k8s.awaitMachine(NAME, "Ready", true, "Running", 240);
    assertThat(up.getStatus().graphics.address).isEqualTo("127.0.0.1");
    String xml = virsh("dumpxml", "kvmop-default-" + NAME);
    assertThat(xml).contains("<graphics type='vnc' port='" + up.getStatus().graphics.port + "'");
    assertThat(xml).contains("listen='127.0.0.1'");

    Running vnc =
        start(
            new io.kvmop.cli.VncCommand(),
            NAME,
            "-n",
            "default",
            "--local",
            "--libvirt-uri",
            uri,
            "--viewer",
            "none");
    try (Socket s = new Socket("127.0.0.1", vnc.port())) {
      byte[] greeting = s.getInputStream().readNBytes(12);
      assertThat(new String(greeting, StandardCharsets.US_ASCII)).startsWith("RFB 003.");
    } finally {
      vnc.thread().interrupt();
    }
    // with a viewer: kvmop starts it on the forwarded port, and stops forwarding when it exits
    // (a stand-in viewer that reads the display's greeting and quits)
    Path viewer = keys.resolve("viewer");
    java.nio.file.Files.writeString(
        viewer, "#!/bin/bash\nexec 3<>/dev/tcp/127.0.0.1/${1##*::}\nhead -c 12 <&3\necho\n");
    viewer.toFile().setExecutable(true);
    ByteArrayOutputStream viewed = new ByteArrayOutputStream();
    int viewerExit =
        new CommandLine(new io.kvmop.cli.VncCommand().using(new PrintStream(viewed, true)))
            .execute(
                NAME,
                "-n",
                "default",
                "--local",
                "--libvirt-uri",
                uri,
                "--viewer",
                viewer.toString());
    assertThat(viewerExit).as(viewed.toString()).isZero();
    assertThat(viewed.toString()).contains("starting " + viewer, "RFB 003.");

    Running fwd =
        start(
            new io.kvmop.cli.PortForwardCommand(),
            NAME,
            "0:7",
            "-n",
            "default",
            "--local",
            "--libvirt-uri",
            uri);
    try {
      // the echo service starts after the lease: asked again until it answers
      String[] answer = {null};
      within(30)
          .pollInterval(java.time.Duration.ofSeconds(1))
          .until(() -> (answer[0] = echo(fwd.port())) != null);
      assertThat(answer[0]).isEqualTo("kvmop-echo\n");
    } finally {
      fwd.thread().interrupt();
    }

    // kvmop ssh goes the same way, to the guest's ssh server: logged in with the key cloud-init
    // handed it, a command runs in the guest and its answer comes back
    within(120)
        .until(
            () ->
                java.nio.file.Files.readString(Path.of(up.getStatus().serialLogPath))
                    .contains("sshd on port 22"));
    ByteArrayOutputStream ssh = new ByteArrayOutputStream();
    int exit = ssh(ssh, "-i", key.toString(), "echo kvmop-$((6*7)) from $(hostname)");
    System.out.print(ssh);
    assertThat(exit).as(ssh.toString()).isZero();
    assertThat(ssh.toString()).contains("kvmop-42 from");
    // without the key: refused by the guest, and kvmop says so with ssh's exit code
    ByteArrayOutputStream refused = new ByteArrayOutputStream();
    int denied = ssh(refused, "-i", "/dev/null", "-o", "IdentitiesOnly=yes", "true");
    assertThat(denied).as(refused.toString()).isNotZero();
    assertThat(refused.toString()).containsIgnoringCase("permission denied");

    // the host key was kept, without a prompt, under the machine's name in kvmop's own file
    String kept = java.nio.file.Files.readString(knownHosts);
    assertThat(
            io.kvmop.testing.Shell.must(
                "ssh-keygen", "-F", "kvmop-default-" + NAME, "-f", knownHosts.toString()))
        .contains("found");
    // a new host key (as a restore or a reinstall makes): refused with the one step that helps
    String type =
        kept.strip().split(" ")[1].replace("ssh-", "").replace("ecdsa-sha2-nistp256", "ecdsa");
    Path other = keys.resolve("other");
    io.kvmop.testing.Shell.must("ssh-keygen", "-q", "-t", type, "-N", "", "-f", other.toString());
    java.nio.file.Files.writeString(
        knownHosts,
        "kvmop-default-"
            + NAME
            + " "
            + java.nio.file.Files.readString(Path.of(other + ".pub")).strip()
            + "\n");
    ByteArrayOutputStream changed = new ByteArrayOutputStream();
    assertThat(ssh(changed, "-i", key.toString(), "true")).isNotZero();
    assertThat(changed.toString())
        .contains("kvmop: the host key of machine default/" + NAME + " is not the one first seen")
        .contains("kvmop ssh " + NAME + " --forget-host-key");
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    assertThat(ssh(again, "--forget-host-key", "-i", key.toString(), "echo back"))
        .as(again.toString())
        .isZero();
    assertThat(again.toString()).contains("back");

    k8s.delete(k8s.machine(NAME));
    within(60).until(() -> k8s.machine(NAME) == null);
  }

  /** One line through the forwarded port to the guest's echo service; null when none answers. */
  static String echo(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(3000);
      s.getOutputStream().write("kvmop-echo\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      byte[] got = s.getInputStream().readNBytes(11);
      return got.length == 11 ? new String(got, StandardCharsets.US_ASCII) : null;
    } catch (java.io.IOException notYet) {
      return null;
    }
  }

  /** kvmop ssh to the machine as root, these ssh arguments after the usual test ones. */
  int ssh(ByteArrayOutputStream out, String... sshArgs) {
    java.util.List<String> args =
        new java.util.ArrayList<>(
            java.util.List.of(
                NAME,
                "-n",
                "default",
                "--local",
                "--libvirt-uri",
                uri,
                "-l",
                "root",
                "--known-hosts",
                knownHosts.toString()));
    java.util.List<String> rest = new java.util.ArrayList<>(java.util.List.of(sshArgs));
    if (!rest.isEmpty() && rest.get(0).equals("--forget-host-key")) {
      args.add(rest.remove(0));
    }
    args.addAll(
        java.util.List.of(
            "--",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null"));
    args.addAll(rest);
    return new CommandLine(new io.kvmop.cli.SshCommand().using(new PrintStream(out, true)))
        .execute(args.toArray(String[]::new));
  }
}
