package io.kvmop.testing;

import io.kvmop.ceph.CephClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The tests' one-node Ceph (src/test/guest/ceph.sh): started once per test JVM when a test first
 * asks for it, cephx on, listening on {@link #ADDRESS} only (an address of this machine only, which
 * a {@link SecondNode} reaches through its veth: on the loopback link, label lo:kvmopceph); stopped
 * (and its folder removed) when the JVM ends. .ci/leftovers.sh stops it too, should the JVM be
 * killed.
 */
public final class TestCeph {
  public static final Path DIR = Path.of("/tmp/kvmop-it-ceph");

  /** The pool kvmop's client may use, and one it may not. */
  public static final String POOL = "kvmop-it";

  /** Where its monitor and OSD listen: an address of this machine only. */
  public static final String ADDRESS = "10.251.250.1";

  /** Its monitor, as a KvmStoragePool's spec.rbd.monitors names it. */
  public static final String MONITOR = ADDRESS + ":6789";

  public static final String OTHER_POOL = "kvmop-other";
  public static final String USER = "kvmop";

  private static boolean started;

  private TestCeph() {}

  /** Starts it unless this JVM did already. */
  public static synchronized TestCeph start() {
    if (!started) {
      Shell.Result r =
          Shell.runFor(240, "bash", "src/test/guest/ceph.sh", "start", DIR.toString(), ADDRESS);
      if (!r.ok()) {
        throw new IllegalStateException("the test Ceph did not start: " + r.output());
      }
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> Shell.run("bash", "src/test/guest/ceph.sh", "stop", DIR.toString())));
      started = true;
    }
    return new TestCeph();
  }

  /** kvmop's client: caps "profile rbd" on {@link #POOL} only. */
  public CephClient client() {
    return new CephClient(List.of(new CephClient.Monitor(ADDRESS, 6789)), USER, key());
  }

  /** kvmop's client's key (base64). */
  public String key() {
    try {
      return Files.readString(DIR.resolve("client.kvmop.key")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An rbd command as the cluster's admin (what the tests check with, never what kvmop uses). */
  public Shell.Result admin(String... rbdArgs) {
    String[] cmd = new String[rbdArgs.length + 3];
    cmd[0] = "rbd";
    cmd[1] = "-c";
    cmd[2] = DIR.resolve("ceph.conf").toString();
    System.arraycopy(rbdArgs, 0, cmd, 3, rbdArgs.length);
    return Shell.run(cmd);
  }

  /** A ceph command as the cluster's admin (pool quotas, flags), as {@link #admin} is for rbd. */
  public Shell.Result cephAdmin(String... args) {
    String[] cmd = new String[args.length + 3];
    cmd[0] = "ceph";
    cmd[1] = "-c";
    cmd[2] = DIR.resolve("ceph.conf").toString();
    System.arraycopy(args, 0, cmd, 3, args.length);
    return Shell.run(cmd);
  }

  /**
   * Stops (SIGSTOP) or continues (SIGCONT) the test cluster's monitor: a Ceph that does not answer,
   * as a hung or cut-off cluster does (running guests keep their OSD sessions), and is back after.
   */
  public void monitorAnswers(boolean answers) {
    Shell.Result r =
        Shell.run(
            "pkill",
            answers ? "-CONT" : "-STOP",
            "-f",
            "ceph-mon .*-c " + DIR.resolve("ceph.conf"));
    if (!r.ok()) {
      throw new IllegalStateException("no monitor of the test Ceph to signal: " + r.output());
    }
  }

  /** Removes every snapshot of {@code image} in the test pool, protected or not. */
  public void purgeSnapshots(String image) {
    String spec = POOL + "/" + image;
    try {
      var rows =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(admin("snap", "ls", spec, "--format", "json").output());
      for (var r : rows) {
        admin("snap", "unprotect", spec + "@" + r.path("name").asText());
      }
    } catch (IOException e) {
      // no snapshots listed: nothing to unprotect
    }
    admin("snap", "purge", spec);
  }
}
