package io.kvmop.storage;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.DiskStatus;
import io.kvmop.api.KvmStoragePool;
import io.kvmop.api.Unreadable;
import io.kvmop.status.Blocker;
import io.kvmop.status.Reasons;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where one disk's volume lives: the node's directory pool or an RBD pool, from the disk's {@code
 * storage}, the pools the admin declared, which namespaces each allows, and where the disk's volume
 * already is. Pure. A pool a namespace may not use, or one that does not exist, is refused before
 * anything is made; a disk whose volume exists never moves to another pool.
 */
public final class StorageChoice {
  private StorageChoice() {}

  /** Where a disk goes: {@code pool} null for the node's own directory pool. */
  public record Where(KvmStoragePool pool) {
    public static final Where NODE = new Where(null);

    public boolean rbd() {
      return pool != null && pool.rbd();
    }

    /** The KvmStoragePool's name as status records it; null for the node's directory pool. */
    public String name() {
      return pool == null ? null : pool.getMetadata().getName();
    }
  }

  /** The pool, or why the disk may not have one. */
  public record Choice(Where where, Blocker blocker) {}

  /**
   * {@link #choose} for a disk of {@code m}: a machine that fails over to another node
   * (spec.failover.policy Restart) may have its disks on shared storage only, which a directory
   * pool is not (the CRD's rules cannot tell pools apart: this is where pools are known).
   */
  public static Choice forMachine(
      io.kvmop.api.KvmMachine m,
      DiskSpec disk,
      String field,
      List<KvmStoragePool> pools,
      Optional<DiskStatus> before) {
    Choice c = choose(m.getMetadata().getNamespace(), disk, field, pools, before);
    if (c.blocker() != null
        || c.where().rbd()
        || disk.disposable()
        || !io.kvmop.failover.FailoverRules.restarts(m.getSpec())) {
      return c; // a disposable disk is made anew wherever the machine goes
    }
    return refused(
        Reasons.INVALID_SPEC,
        field
            + ".storage: spec.failover.policy Restart needs every disk on shared storage, and "
            + (c.where().name() == null
                ? "the node's directory pool"
                : "KvmStoragePool " + c.where().name() + " (type directory)")
            + " dies with its node; name an rbd KvmStoragePool, or set disposable: true if the"
            + " disk may be made anew on another node");
  }

  /**
   * @param field the disk's place in spec, e.g. {@code spec.disks[0] (root)}
   * @param before the disk's last status, if any: where its volume was made
   */
  public static Choice choose(
      String namespace,
      DiskSpec disk,
      String field,
      List<KvmStoragePool> pools,
      Optional<DiskStatus> before) {
    boolean made = before.isPresent() && before.get().capacityBytes != null;
    if (made && (disk.storage == null || disk.storage.isEmpty())) {
      // a disk that names no storage stays where it was made, whatever default the admin adds later
      String was = before.get().storage;
      if (was == null) {
        return new Choice(Where.NODE, null);
      }
      return declared(namespace, was, field, pools);
    }
    Choice c = declared(namespace, disk.storage, field, pools);
    if (c.blocker() != null) {
      return c;
    }
    if (made && !samePlace(before.get().storage, c.where(), pools)) {
      return refused(
          Reasons.DISK_CHANGE_REFUSED,
          field
              + ".storage: the disk's volume "
              + before.get().volume
              + " is in "
              + describe(before.get().storage)
              + ", and spec now puts it in "
              + describe(c.where().name())
              + "; kvmop never moves a disk that may hold data. Set storage back to "
              + (before.get().storage == null ? "nothing" : before.get().storage)
              + ", or give the disk a new name");
    }
    if (c.where().rbd()) {
      if ("qcow2".equals(disk.format)) {
        return refused(
            Reasons.INVALID_SPEC,
            field
                + ".format: an RBD image is always raw (thin, with its own snapshots); leave"
                + " format out or set raw");
      }
    }
    return c;
  }

  private static Choice declared(
      String namespace, String storage, String field, List<KvmStoragePool> pools) {
    if (storage == null || storage.isEmpty()) {
      // the default, checked as if the disk named it (an unreadable or incomplete default says so)
      return pools.stream()
          .filter(p -> p.getSpec() != null && p.getSpec().defaultPool())
          .filter(p -> p.getSpec().allows(namespace))
          .min(Comparator.comparing(p -> p.getMetadata().getName()))
          .map(p -> declared(namespace, p.getMetadata().getName(), field, pools))
          .orElse(new Choice(Where.NODE, null));
    }
    Optional<KvmStoragePool> named =
        pools.stream().filter(p -> storage.equals(p.getMetadata().getName())).findFirst();
    if (named.isEmpty() || named.get().getSpec() == null) {
      return refused(
          Reasons.STORAGE_NOT_FOUND,
          field
              + ".storage: there is no KvmStoragePool '"
              + storage
              + "'; "
              + usable(namespace, pools));
    }
    KvmStoragePool p = named.get();
    if (!p.getSpec().allows(namespace)) {
      return refused(
          Reasons.STORAGE_NOT_ALLOWED,
          field
              + ".storage: KvmStoragePool '"
              + storage
              + "' is not offered to namespace "
              + namespace
              + " (its spec.namespaces lists who may use it); "
              + usable(namespace, pools));
    }
    List<String> unreadable = Unreadable.problems(p);
    if (!unreadable.isEmpty()) {
      return refused(
          Reasons.STORAGE_UNAVAILABLE,
          field
              + ".storage: KvmStoragePool '"
              + storage
              + "' cannot be read by this agent, so no disk is placed in it: "
              + String.join("; ", unreadable));
    }
    if (p.rbd() && p.getSpec().rbd == null) {
      return refused(
          Reasons.STORAGE_UNAVAILABLE,
          field
              + ".storage: KvmStoragePool '"
              + storage
              + "' is of type rbd but has no spec.rbd; the cluster admin must complete it");
    }
    return new Choice(new Where(p), null);
  }

  private static String usable(String namespace, List<KvmStoragePool> pools) {
    List<String> names =
        pools.stream()
            .filter(p -> p.getSpec() != null && p.getSpec().allows(namespace))
            .map(p -> p.getMetadata().getName())
            .sorted()
            .toList();
    return names.isEmpty()
        ? "this namespace may use no KvmStoragePool; leave storage out for the node's directory"
            + " pool"
        : "pools this namespace may use: " + String.join(", ", names);
  }

  /** Whether a recorded pool name and a choice are one place (a directory pool is the node's). */
  private static boolean samePlace(String recorded, Where now, List<KvmStoragePool> pools) {
    if (Objects.equals(recorded, now.name())) {
      return true;
    }
    boolean recordedOnNode =
        recorded == null
            || pools.stream().anyMatch(p -> recorded.equals(p.getMetadata().getName()) && !p.rbd());
    return recordedOnNode && !now.rbd();
  }

  private static String describe(String pool) {
    return pool == null ? "the node's directory pool" : "KvmStoragePool " + pool;
  }

  private static Choice refused(String reason, String message) {
    return new Choice(null, new Blocker(reason, message));
  }
}
