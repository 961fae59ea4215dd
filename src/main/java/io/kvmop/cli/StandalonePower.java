package io.kvmop.cli;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.MachineRequestStatus;
import io.kvmop.machine.PowerRequests;
import io.kvmop.standalone.PowerRequestFiles;
import io.kvmop.validation.ContainedPath;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A power request to a standalone machine: written as a request file of the status directory (which
 * {@code kvmop run} watches), answered in the machine's status file, which this watches until the
 * answer for this request's token is there. Same exits as in a cluster: 0 done, 1 refused (or no
 * such machine), 2 no answer in time.
 */
final class StandalonePower {
  private final Path statusDir;
  private final PrintStream out;
  private final int waitSeconds;

  StandalonePower(Path statusDir, PrintStream out, int waitSeconds) {
    this.statusDir = statusDir;
    this.out = out;
    this.waitSeconds = waitSeconds;
  }

  int ask(String ns, String name, String token) throws IOException, InterruptedException {
    Path statusFile =
        ContainedPath.resolve(
            statusDir.toAbsolutePath().normalize(), "KvmMachine", ns, name + ".yaml");
    if (!Files.isRegularFile(statusFile, LinkOption.NOFOLLOW_LINKS)) {
      out.println(
          "kvmop: no status of KvmMachine "
              + ns
              + "/"
              + name
              + " in "
              + statusDir
              + " (is kvmop run --manifests running for it?)");
      return 1;
    }
    try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
      statusFile
          .getParent()
          .register(
              watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
      PowerRequestFiles.write(statusDir, ns, name, token);
      Instant deadline = Instant.now().plusSeconds(waitSeconds);
      String shown = null;
      while (Instant.now().isBefore(deadline)) {
        MachineRequestStatus a = answer(statusFile);
        if (a != null && token.equals(a.request)) {
          if (!PowerRequests.IN_PROGRESS.equals(a.outcome)) {
            boolean done = PowerRequests.DONE.equals(a.outcome);
            out.println(
                (done ? "" : "refused (" + a.reason + "): ") + ns + "/" + name + ": " + a.message);
            return done ? 0 : 1;
          }
          if (!a.message.equals(shown)) {
            out.println(ns + "/" + name + ": " + a.message + " ...");
            shown = a.message;
          }
        }
        var key = watcher.poll(1, TimeUnit.SECONDS); // the status file is replaced on each write
        if (key != null) {
          key.pollEvents();
          key.reset();
        }
      }
    }
    out.println(
        "kvmop: no answer for "
            + ns
            + "/"
            + name
            + " within "
            + waitSeconds
            + " s (is kvmop run --manifests running? kvmop get)");
    return 2;
  }

  private static MachineRequestStatus answer(Path statusFile) {
    try {
      Map<?, ?> doc = Serialization.unmarshal(Files.readString(statusFile), Map.class);
      Object status = doc == null ? null : doc.get("status");
      if (status == null) {
        return null;
      }
      KvmMachineStatus s =
          Serialization.unmarshal(Serialization.asJson(status), KvmMachineStatus.class);
      return s.request;
    } catch (IOException | RuntimeException e) {
      return null; // being replaced: the next event reads it whole
    }
  }
}
