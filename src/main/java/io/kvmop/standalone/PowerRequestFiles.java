package io.kvmop.standalone;

import io.kvmop.machine.PowerRequests;
import io.kvmop.validation.ContainedPath;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Power requests of standalone machines: {@code kvmop start|stop|... --manifests DIR} writes the
 * request ({@code "<verb> <token>"}, as the annotation kvmop.io/request carries it in a cluster) to
 * a file of the status directory, never to the manifests (a GitOps checkout sees no diff); the
 * agent acts on it once and answers in the machine's status file.
 */
public final class PowerRequestFiles {
  private PowerRequestFiles() {}

  /** The directory the request files are in (the runner watches it). */
  public static Path dir(Path statusDir) {
    return statusDir.toAbsolutePath().normalize().resolve("requests");
  }

  /** One machine's file: a namespace has no '_', nor has a name, so the pair is unambiguous. */
  static Path file(Path statusDir, String ns, String name) {
    return ContainedPath.resolve(
        statusDir.toAbsolutePath().normalize(), "requests", ns + "_" + name + ".request");
  }

  /** Writes the request, atomically; no symlink under the status directory is followed. */
  public static void write(Path statusDir, String ns, String name, String request)
      throws IOException {
    new StatusStore(statusDir).write(file(statusDir, ns, name), request + "\n");
  }

  /** The machine's last request, if any. */
  static Optional<String> read(StatusStore store, String ns, String name) throws IOException {
    String text = store.read(file(store.root(), ns, name));
    return text == null || text.isBlank() ? Optional.empty() : Optional.of(text.strip());
  }

  /**
   * The machine's request still to be acted on: none when its status file already answers it (the
   * file is then removed, so a new kvmop process never acts on it again).
   */
  static Optional<String> pending(StatusStore store, String ns, String name) throws IOException {
    Optional<String> request = read(store, ns, name);
    if (request.isEmpty()) {
      return request;
    }
    String status = store.read(store.file("KvmMachine", ns, name));
    if (status != null) {
      var doc =
          io.fabric8.kubernetes.client.utils.Serialization.unmarshal(status, java.util.Map.class);
      Object st = doc == null ? null : doc.get("status");
      Object answer = st instanceof java.util.Map<?, ?> m ? m.get("request") : null;
      if (answer instanceof java.util.Map<?, ?> a
          && request.get().equals(a.get("request"))
          && !PowerRequests.IN_PROGRESS.equals(a.get("outcome"))) {
        // only the answered request goes: a new one written since stays to be acted on
        return store.deleteIfHolds(file(store.root(), ns, name), request.get())
            ? Optional.empty()
            : read(store, ns, name);
      }
    }
    return request;
  }

  /** Creates the directory (for the runner's watch). */
  static Path ensureDir(StatusStore store) throws IOException {
    Path d = dir(store.root());
    store.directories(d);
    return d;
  }
}
