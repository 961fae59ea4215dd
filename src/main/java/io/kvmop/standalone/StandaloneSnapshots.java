package io.kvmop.standalone;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineRestore;
import io.kvmop.api.KvmMachineRestoreStatus;
import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmMachineSnapshotSpec;
import io.kvmop.api.KvmMachineSnapshotStatus;
import io.kvmop.snapshot.Restorer;
import io.kvmop.snapshot.SnapshotKeeper;
import io.kvmop.status.Happened;
import io.kvmop.status.Outcome;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Standalone kvmop's snapshots and restores: each from its manifest, with the same keeper and
 * restorer as the cluster agent, its status in the status directory (which is also what a restore
 * reads, and what says a restore was done). A snapshot whose manifest is gone is deleted from
 * libvirt; a restore is done once, and its status file says so across restarts.
 */
final class StandaloneSnapshots {
  private static final Logger LOG = LoggerFactory.getLogger(StandaloneSnapshots.class);
  static final String SNAPSHOT = "KvmMachineSnapshot";
  static final String RESTORE = "KvmMachineRestore";

  private final SnapshotKeeper keeper;
  private final Restorer restorer;
  private final StatusStore store;
  private final LastSnapshots last;

  StandaloneSnapshots(
      SnapshotKeeper keeper, Restorer restorer, StatusStore store, LastSnapshots last) {
    this.keeper = keeper;
    this.restorer = restorer;
    this.store = store;
    this.last = last;
  }

  /**
   * One pass: every snapshot kept, every restore not done yet done, the snapshots whose manifest
   * went (and that are not held by a bad edit) deleted. How soon to look again, or null.
   *
   * @param machines the machines of this pass, with their status, by namespace/name
   * @param held Kind/namespace/name of documents kept as last applied
   */
  Duration reconcile(
      List<KvmMachineSnapshot> snapshots,
      List<KvmMachineRestore> restores,
      Map<String, KvmMachine> machines,
      Set<String> held)
      throws IOException {
    Duration recheck = null;
    Map<String, KvmMachineSnapshot> now = new HashMap<>();
    for (KvmMachineSnapshot s : snapshots) {
      s.getMetadata().setGeneration(1L); // a snapshot's spec never changes
      s.setStatus(stored(s, SNAPSHOT, KvmMachineSnapshotStatus.class));
      Outcome<KvmMachineSnapshotStatus> o =
          keeper.keep(s, machines.get(id(s, s.getSpec().machine)));
      log(s, o.happened());
      s.setStatus(o.status());
      write(s, SNAPSHOT, s.getSpec(), s.getStatus());
      now.put(id(s, s.getMetadata().getName()), s);
      recheck = StandaloneAgent.sooner(recheck, o.recheckAfter());
    }
    last.replace(now);
    for (KvmMachineRestore r : restores) {
      r.getMetadata().setGeneration(1L);
      r.setStatus(stored(r, RESTORE, KvmMachineRestoreStatus.class));
      Outcome<KvmMachineRestoreStatus> o =
          restorer.restore(
              r, machines.get(id(r, r.getSpec().machine)), now.get(id(r, r.getSpec().snapshot)));
      log(r, o.happened());
      r.setStatus(o.status());
      write(r, RESTORE, r.getSpec(), r.getStatus());
      recheck = StandaloneAgent.sooner(recheck, o.recheckAfter());
    }
    removeGone(SNAPSHOT, now.keySet(), held, true);
    removeGone(
        RESTORE,
        restores.stream().map(r -> id(r, r.getMetadata().getName())).collect(toSet()),
        held,
        false);
    return recheck;
  }

  /** Deletes what the gone manifests of this kind declared, and their status files. */
  private void removeGone(String kind, Set<String> declared, Set<String> held, boolean snapshots)
      throws IOException {
    for (String[] id : store.list(kind)) {
      String key = id[0] + "/" + id[1];
      if (declared.contains(key) || held.contains(kind + "/" + key)) {
        continue;
      }
      Path f = store.file(kind, id[0], id[1]);
      if (snapshots) {
        KvmMachineSnapshot gone = fromFile(f);
        if (gone != null) {
          log(gone, keeper.release(gone));
        }
      }
      store.delete(f);
    }
  }

  /** A snapshot as its status file recorded it (spec and status), or null. */
  private KvmMachineSnapshot fromFile(Path f) throws IOException {
    String text = store.read(f);
    if (text == null) {
      return null;
    }
    Map<?, ?> doc = Serialization.unmarshal(text, Map.class);
    KvmMachineSnapshot s = new KvmMachineSnapshot();
    s.getMetadata().setName(String.valueOf(doc.get("name")));
    s.getMetadata().setNamespace(String.valueOf(doc.get("namespace")));
    s.getMetadata().setUid(String.valueOf(doc.get("uid")));
    s.setSpec(convert(doc.get("spec"), KvmMachineSnapshotSpec.class));
    s.setStatus(convert(doc.get("status"), KvmMachineSnapshotStatus.class));
    return s;
  }

  private <T> T stored(HasMetadata r, String kind, Class<T> type) throws IOException {
    String text =
        store.read(store.file(kind, r.getMetadata().getNamespace(), r.getMetadata().getName()));
    if (text == null) {
      return null;
    }
    Map<?, ?> doc = Serialization.unmarshal(text, Map.class);
    // a status of another resource of that name (deleted and declared again) is not this one's
    return r.getMetadata().getUid().equals(doc.get("uid"))
        ? convert(doc.get("status"), type)
        : null;
  }

  private static <T> T convert(Object value, Class<T> type) {
    return value == null ? null : Serialization.unmarshal(Serialization.asJson(value), type);
  }

  private void write(HasMetadata r, String kind, Object spec, Object status) throws IOException {
    Path f = store.file(kind, r.getMetadata().getNamespace(), r.getMetadata().getName());
    Map<String, Object> doc = new java.util.LinkedHashMap<>();
    doc.put("kind", kind);
    doc.put("name", r.getMetadata().getName());
    doc.put("namespace", r.getMetadata().getNamespace());
    doc.put("uid", r.getMetadata().getUid());
    doc.put("spec", spec);
    doc.put("status", status);
    String yaml = Serialization.asYaml(doc);
    try {
      if (!yaml.equals(store.read(f))) {
        store.write(f, yaml);
      }
    } catch (IOException e) {
      LOG.warn(
          "cannot write the status of {} {}: {}", kind, r.getMetadata().getName(), e.getMessage());
    }
  }

  private static void log(HasMetadata r, List<Happened> happened) {
    happened.forEach(
        h ->
            LOG.info(
                "{}/{}: {}",
                r.getMetadata().getNamespace(),
                r.getMetadata().getName(),
                h.message()));
  }

  private static String id(HasMetadata r, String name) {
    return r.getMetadata().getNamespace() + "/" + name;
  }

  private static <T> java.util.stream.Collector<T, ?, Set<T>> toSet() {
    return java.util.stream.Collectors.toSet();
  }
}
