package io.kvmop.storage;

import io.kvmop.ceph.CephError;
import io.kvmop.ceph.RbdPort;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An RBD pool in memory, keeping what the unit tests look at: images with their size, parent,
 * snapshots (protected or not) and metadata, and refusing what Ceph refuses (removing a protected
 * snapshot, unprotecting one with clones, removing an image with snapshots). {@code calls} lists
 * every write, in order; {@code failOn} makes the next write of that verb fail as Ceph would.
 */
public final class FakeRbd implements RbdPort {
  public static final class Img {
    long size;
    Parent parent;
    final Map<String, Snapshot> snaps = new LinkedHashMap<>();
    public final Map<String, String> meta = new HashMap<>();
  }

  public final Map<String, Img> images = new LinkedHashMap<>();
  public final List<String> calls = new ArrayList<>();
  public String failOn;
  public String full;

  /** The Ceph clients that have each image open, as {@link #openers} answers. */
  public final Map<String, List<String>> open = new HashMap<>();

  /** The clients blocklisted, in order. */
  public final List<String> blocked = new ArrayList<>();

  /** Told of every write before it is done: a test's crash may throw there. */
  public java.util.function.Consumer<String> beforeWrite = call -> {};

  private void write(String call) {
    beforeWrite.accept(call);
    calls.add(call);
    if (failOn != null && call.startsWith(failOn)) {
      failOn = null;
      throw new CephError(call, 110, "connection timed out");
    }
  }

  private Img get(String image) {
    Img i = images.get(image);
    if (i == null) {
      throw new CephError("open " + image, 2, "No such file or directory");
    }
    return i;
  }

  @Override
  public List<Image> images() {
    List<Image> out = new ArrayList<>();
    images.forEach(
        (n, i) ->
            out.add(
                new Image(
                    n, i.size, Optional.ofNullable(i.parent), List.copyOf(i.snaps.values()))));
    return out;
  }

  @Override
  public Optional<String> full() {
    return Optional.ofNullable(full);
  }

  @Override
  public Map<String, String> meta(String image) {
    return Map.copyOf(get(image).meta);
  }

  @Override
  public void setMeta(String image, String key, String value) {
    write("setMeta " + image + " " + key);
    get(image).meta.put(key, value);
  }

  @Override
  public void removeMeta(String image, String key) {
    write("removeMeta " + image + " " + key);
    get(image).meta.remove(key);
  }

  /** An image of {@code bytes} that the test puts there, as it would be before the test. */
  public void put(String image, long bytes, Map<String, String> meta) {
    Img i = new Img();
    i.size = bytes;
    i.meta.putAll(meta);
    images.put(image, i);
  }

  @Override
  public void create(String image, long bytes) {
    write("create " + image);
    Img i = new Img();
    i.size = bytes;
    images.put(image, i);
  }

  @Override
  public void write(Path file, String format, String image) {
    write("write " + image);
  }

  @Override
  public void snapshot(String image, String snap) {
    write("snapshot " + image + "@" + snap);
    Img i = get(image);
    i.snaps.put(snap, new Snapshot(snap, true, i.size));
  }

  @Override
  public void protect(String image, String snap) {
    write("protect " + image + "@" + snap);
    Snapshot s = get(image).snaps.get(snap);
    get(image).snaps.put(snap, new Snapshot(snap, true, s.size()));
  }

  @Override
  public void unprotect(String image, String snap) {
    write("unprotect " + image + "@" + snap);
    boolean cloned =
        images.values().stream()
            .anyMatch(
                c ->
                    c.parent != null
                        && c.parent.image().equals(image)
                        && c.parent.snapshot().equals(snap));
    if (cloned) {
      throw new CephError("unprotect", 16, "Device or resource busy: it has clones");
    }
    Snapshot s = get(image).snaps.get(snap);
    get(image).snaps.put(snap, new Snapshot(snap, false, s.size()));
  }

  @Override
  public void removeSnapshot(String image, String snap) {
    write("removeSnapshot " + image + "@" + snap);
    Snapshot s = get(image).snaps.get(snap);
    if (s != null && s.isProtected()) {
      throw new CephError("snap rm", 16, "snapshot is protected");
    }
    get(image).snaps.remove(snap);
  }

  @Override
  public void rollback(String image, String snap) {
    write("rollback " + image + "@" + snap);
    Img i = get(image);
    i.size = i.snaps.get(snap).size();
  }

  @Override
  public void flatten(String image) {
    write("flatten " + image);
    get(image).parent = null;
  }

  @Override
  public void clone(String image, String snap, String child) {
    write("clone " + image + "@" + snap + " " + child);
    Img c = new Img();
    c.size = get(image).snaps.get(snap).size();
    c.parent = new Parent(image, snap);
    images.put(child, c);
  }

  @Override
  public void grow(String image, long bytes) {
    write("grow " + image);
    get(image).size = bytes;
  }

  @Override
  public long used(String image) {
    return 0;
  }

  @Override
  public void rename(String from, String to) {
    write("rename " + from + " " + to);
    images.put(to, images.remove(from));
  }

  @Override
  public void remove(String image) {
    write("remove " + image);
    if (!get(image).snaps.isEmpty()) {
      throw new CephError("rm", 39, "image has snapshots");
    }
    images.remove(image);
  }

  @Override
  public List<String> openers(String image) {
    return List.copyOf(open.getOrDefault(image, List.of()));
  }

  @Override
  public void blocklist(String client, java.time.Duration expiry) {
    write("blocklist " + client);
    blocked.add(client);
  }
}
