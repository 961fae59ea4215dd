package io.kvmop.standalone;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status files of a manifest directory's networks and machines: each written whole with the
 * spec last applied (what a removal uses when the manifest went while kvmop was down), the time
 * kvmop first reported it, and the problem of a document kept as last applied.
 */
final class StatusDocuments {
  private static final Logger LOG = LoggerFactory.getLogger(StatusDocuments.class);

  private final StatusStore store;
  private final Clock clock;

  StatusDocuments(StatusStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /**
   * Marks the status file of each resource kept as last applied with its manifest's problem, so
   * that {@code kvmop get} does not pass its old status off as the edit's; the next good pass
   * rewrites the file without it.
   */
  void markHeld(Map<String, Manifests.Problem> held) throws IOException {
    for (var e : held.entrySet()) {
      String[] k = e.getKey().split("/", 3);
      if (k.length != 3 || !(k[0].equals("KvmMachine") || k[0].equals("KvmNetwork"))) {
        continue;
      }
      Path f = store.file(k[0], k[1], k[2]);
      if (store.read(f) == null) {
        continue;
      }
      Map<String, Object> doc =
          new java.util.LinkedHashMap<>(Serialization.unmarshal(store.read(f), Map.class));
      String problem = e.getValue() + " (kept as last applied until it is fixed)";
      if (!problem.equals(doc.get("manifestProblem"))) {
        doc.put("manifestProblem", problem);
        store.write(f, Serialization.asYaml(doc)); // whole or not at all
      }
    }
  }

  /**
   * When kvmop first reported this resource (kubectl's creationTimestamp, for the AGE column): kept
   * from the previous status file of the same uid, else now.
   */
  private String created(Path f, String uid) {
    if (Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try {
        Map<?, ?> old = Serialization.unmarshal(store.read(f), Map.class);
        if (old != null && uid.equals(old.get("uid")) && old.get("created") instanceof String c) {
          return c;
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("cannot read {}: {}", f, e.toString());
      }
    }
    return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }

  void write(HasMetadata r, String kind) throws IOException {
    Path f = store.file(kind, r.getMetadata().getNamespace(), r.getMetadata().getName());
    Object status = r instanceof KvmNetwork n ? n.getStatus() : ((KvmMachine) r).getStatus();
    Map<String, Object> doc = new java.util.LinkedHashMap<>();
    doc.put("kind", kind);
    doc.put("name", r.getMetadata().getName());
    doc.put("namespace", r.getMetadata().getNamespace());
    doc.put("uid", r.getMetadata().getUid());
    doc.put("created", created(f, r.getMetadata().getUid()));
    // the spec last applied: what a removal uses when the manifest went while kvmop was down
    doc.put("spec", r instanceof KvmNetwork n ? n.getSpec() : ((KvmMachine) r).getSpec());
    doc.put("status", status);
    String yaml = Serialization.asYaml(doc);
    try {
      if (!yaml.equals(store.read(f))) {
        store.write(f, yaml);
      }
    } catch (IOException e) {
      // one status file that cannot be written (a symlink planted under .status) never stops
      // the pass for the other resources
      LOG.warn(
          "cannot write the status of {} {}: {}", kind, r.getMetadata().getName(), e.getMessage());
    }
  }
}
