package io.kvmop.storage;

import io.kvmop.api.Quantities;
import io.kvmop.ceph.RbdPort;
import io.kvmop.status.Blocker;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Base images in an RBD pool: a checked image file imported once per pool as {@code
 * kvmop-base-HASH}, with a protected snapshot {@value #SNAPSHOT} that every disk from that image is
 * a copy-on-write clone of (as Glance and Cinder lay out images on Ceph). An import goes into
 * {@code NAME.importing}, marked with the image it is and the node importing it, and is renamed
 * only when whole: a base image is never half there. Interrupted, it is started again; another
 * node's import is waited for, or taken over after {@link #STALE_IMPORT}.
 */
final class RbdBases {
  static final String SNAPSHOT = "kvmop";
  static final String MARK_BASE = "kvmop.base";
  static final String MARK_IMPORTER = "kvmop.importing";
  static final String MARK_SINCE = "kvmop.importing-since";
  static final Duration STALE_IMPORT = Duration.ofHours(2);

  private final String node;
  private final Clock clock;

  /** pool uid + base name: marked bases seen, so their mark is read once per agent. */
  private final Set<String> known = ConcurrentHashMap.newKeySet();

  private final Map<String, Object> importing = new ConcurrentHashMap<>();

  RbdBases(String node, Clock clock) {
    this.node = node;
    this.clock = clock;
  }

  /** The base image's name, there with its protected snapshot; or why it is not (yet). */
  record Result(String name, Blocker blocker) {}

  Result ensure(
      RbdAccess.Reached at,
      ImageFile src,
      Map<String, RbdPort.Image> images,
      java.util.List<Happened> done) {
    String name = src.imageName();
    // one import of one base per agent at a time; the others wait for it here
    synchronized (
        importing.computeIfAbsent(
            at.pool().getMetadata().getUid() + "/" + name, k -> new Object())) {
      RbdPort rbd = at.images();
      RbdPort.Image img = images.get(name);
      if (img == null) {
        img = rbd.images().stream().filter(i -> i.name().equals(name)).findFirst().orElse(null);
      }
      if (img == null) {
        Optional<Blocker> imported = importInto(at, src, name, done);
        if (imported.isPresent()) {
          return new Result(null, imported.get());
        }
        known.add(at.pool().getMetadata().getUid() + "/" + name);
        return new Result(name, null);
      }
      String key = at.pool().getMetadata().getUid() + "/" + name;
      if (!known.contains(key)) {
        String mark = rbd.meta(name).get(MARK_BASE);
        if (!src.identity().equals(mark)) {
          return new Result(
              null,
              new Blocker(
                  Reasons.RBD_IMAGE_CONFLICT,
                  "RBD image "
                      + at.spec().pool
                      + "/"
                      + name
                      + " is not kvmop's base image of "
                      + src.nodePath()
                      + " (its metadata "
                      + MARK_BASE
                      + " does not say so); kvmop never writes it. Rename or remove it"));
        }
        known.add(key);
      }
      Optional<RbdPort.Snapshot> snap = img.snapshot(SNAPSHOT);
      if (snap.isEmpty()) {
        finish(rbd, name); // a rename done, the snapshot not yet: finish
      } else if (!snap.get().isProtected()) {
        rbd.protect(name, SNAPSHOT);
      }
      return new Result(name, null);
    }
  }

  private Optional<Blocker> importInto(
      RbdAccess.Reached at, ImageFile src, String name, java.util.List<Happened> done) {
    RbdPort rbd = at.images();
    String partial = name + ".importing";
    Optional<RbdPort.Image> left =
        rbd.images().stream().filter(i -> i.name().equals(partial)).findFirst();
    if (left.isPresent()) {
      Map<String, String> meta = rbd.meta(partial);
      if (src.identity().equals(meta.get(MARK_BASE))) {
        String by = meta.getOrDefault(MARK_IMPORTER, "");
        Instant since = since(meta.get(MARK_SINCE));
        if (!by.equals(node) && since.plus(STALE_IMPORT).isAfter(clock.instant())) {
          return Optional.of(
              new Blocker(
                  Reasons.RBD_IMAGE_IMPORTING,
                  "node "
                      + by
                      + " is importing "
                      + src.nodePath()
                      + " into "
                      + at.spec().pool
                      + "/"
                      + name
                      + " since "
                      + since
                      + "; this disk waits for it"));
        }
        rbd.remove(partial); // this node's interrupted import, or a stale one: start again
      } else if (meta.isEmpty() && rbd.used(partial) == 0) {
        rbd.remove(partial); // created, never marked or written: nothing in it to lose
      } else {
        return Optional.of(
            new Blocker(
                Reasons.RBD_IMAGE_CONFLICT,
                "RBD image "
                    + at.spec().pool
                    + "/"
                    + partial
                    + " holds data and is not kvmop's import of "
                    + src.nodePath()
                    + "; kvmop never writes it. Rename or remove it"));
      }
    }
    long started = System.nanoTime();
    rbd.create(partial, src.virtualSize());
    rbd.setMeta(partial, MARK_BASE, src.identity()); // first: from here on it is kvmop's
    rbd.setMeta(partial, MARK_IMPORTER, node);
    rbd.setMeta(partial, MARK_SINCE, clock.instant().toString());
    rbd.write(src.file(), src.format(), partial);
    rbd.rename(partial, name);
    finish(rbd, name);
    done.add(
        new Happened(
            Reasons.RBD_IMAGE_IMPORTED,
            "imported "
                + src.nodePath()
                + " ("
                + Quantities.human(src.virtualSize())
                + ") into RBD pool "
                + at.spec().pool
                + " as base image "
                + name
                + " in "
                + Duration.ofNanos(System.nanoTime() - started).toMillis()
                + " ms; disks from it are clones of its snapshot"));
    return Optional.empty();
  }

  /**
   * A whole import, renamed: the importer's marks go (clones would copy them), then the snapshot
   * every disk is a clone of, protected.
   */
  private static void finish(RbdPort rbd, String name) {
    rbd.removeMeta(name, MARK_IMPORTER);
    rbd.removeMeta(name, MARK_SINCE);
    rbd.snapshot(name, SNAPSHOT);
  }

  private static Instant since(String text) {
    try {
      return text == null ? Instant.EPOCH : Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }
}
