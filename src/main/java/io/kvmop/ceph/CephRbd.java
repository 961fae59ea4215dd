package io.kvmop.ceph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link RbdPort} through the rbd and qemu-img tools, as one {@link CephClient}. */
final class CephRbd implements RbdPort {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CephClient client;
  private final String pool;
  private final String namespace;

  CephRbd(CephClient client, String pool, String namespace) {
    CephClient.check("pool", pool);
    if (!namespace.isEmpty()) {
      CephClient.check("namespace", namespace);
    }
    this.client = client;
    this.pool = pool;
    this.namespace = namespace;
  }

  private String spec(String image) {
    CephClient.check("image", image);
    return pool + "/" + (namespace.isEmpty() ? "" : namespace + "/") + image;
  }

  private JsonNode json(String what, String out) {
    try {
      return out.isBlank() ? JSON.createArrayNode() : JSON.readTree(out);
    } catch (IOException e) {
      throw new CephError(what, -1, "unreadable output");
    }
  }

  @Override
  public List<Image> images() {
    String what = "list images of " + spec("x").replaceAll("/x$", "");
    List<String> args = new ArrayList<>(List.of("ls", "-l", "--format", "json", pool));
    if (!namespace.isEmpty()) {
      args.addAll(List.of("--namespace", namespace));
    }
    JsonNode rows = json(what, client.rbd(what, args.toArray(String[]::new)));
    Map<String, long[]> sizes = new LinkedHashMap<>();
    Map<String, Parent> parents = new LinkedHashMap<>();
    Map<String, List<Snapshot>> snaps = new LinkedHashMap<>();
    for (JsonNode r : rows) {
      String name = r.path("image").asText();
      if (r.has("snapshot")) {
        snaps
            .computeIfAbsent(name, k -> new ArrayList<>())
            .add(
                new Snapshot(
                    r.path("snapshot").asText(),
                    "true".equals(r.path("protected").asText()),
                    r.path("size").asLong()));
        continue;
      }
      sizes.put(name, new long[] {r.path("size").asLong()});
      JsonNode p = r.path("parent");
      if (p.isObject()) {
        parents.put(name, new Parent(p.path("image").asText(), p.path("snapshot").asText()));
      }
    }
    List<Image> out = new ArrayList<>();
    sizes.forEach(
        (name, size) ->
            out.add(
                new Image(
                    name,
                    size[0],
                    Optional.ofNullable(parents.get(name)),
                    List.copyOf(snaps.getOrDefault(name, List.of())))));
    return List.copyOf(out);
  }

  @Override
  public Optional<String> full() {
    String what = "read the flags of pool " + pool;
    JsonNode n = json(what, client.ceph(what, "osd", "dump", "--format", "json"));
    for (JsonNode p : n.path("pools")) {
      if (!pool.equals(p.path("pool_name").asText())) {
        continue;
      }
      List<String> flags = List.of(p.path("flags_names").asText("").split(","));
      if (flags.contains("full_quota")) {
        return Optional.of(
            "its quota is reached (max_bytes "
                + p.path("quota_max_bytes").asLong()
                + ", max_objects "
                + p.path("quota_max_objects").asLong()
                + "; 0 is no limit): the Ceph admin raises it with ceph osd pool set-quota "
                + pool
                + ", or frees space in it");
      }
      if (flags.contains("full")) {
        return Optional.of(
            "the OSDs it is on are full: the Ceph admin adds OSDs or frees space (ceph df, ceph"
                + " health detail)");
      }
    }
    return Optional.empty();
  }

  @Override
  public Map<String, String> meta(String image) {
    String what = "read metadata of " + spec(image);
    JsonNode n =
        json(what, client.rbd(what, "image-meta", "list", spec(image), "--format", "json"));
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  @Override
  public void setMeta(String image, String key, String value) {
    CephClient.check("metadata key", key);
    client.rbd(
        "set metadata " + key + " of " + spec(image), "image-meta", "set", spec(image), key, value);
  }

  @Override
  public void removeMeta(String image, String key) {
    if (meta(image).containsKey(key)) {
      client.rbd(
          "remove metadata " + key + " of " + spec(image),
          "image-meta",
          "remove",
          spec(image),
          key);
    }
  }

  @Override
  public void create(String image, long bytes) {
    client.rbd("create " + spec(image), "create", spec(image), "--size", bytes + "B");
  }

  @Override
  public void write(Path file, String format, String image) {
    client.writeImage(file, format, pool, namespace, image);
  }

  @Override
  public void snapshot(String image, String snap) {
    CephClient.check("snapshot", snap);
    client.rbd("snapshot " + spec(image), "snap", "create", spec(image) + "@" + snap);
    protect(image, snap);
  }

  @Override
  public void protect(String image, String snap) {
    CephClient.check("snapshot", snap);
    client.rbd("protect " + spec(image) + "@" + snap, "snap", "protect", spec(image) + "@" + snap);
  }

  @Override
  public void unprotect(String image, String snap) {
    CephClient.check("snapshot", snap);
    client.rbd(
        "unprotect " + spec(image) + "@" + snap, "snap", "unprotect", spec(image) + "@" + snap);
  }

  @Override
  public void removeSnapshot(String image, String snap) {
    CephClient.check("snapshot", snap);
    client.rbd(
        "remove snapshot " + spec(image) + "@" + snap,
        "snap",
        "rm",
        "--no-progress",
        spec(image) + "@" + snap);
  }

  @Override
  public void rollback(String image, String snap) {
    CephClient.check("snapshot", snap);
    client.rbdCopying(
        "roll " + spec(image) + " back to " + snap,
        "snap",
        "rollback",
        "--no-progress",
        spec(image) + "@" + snap);
  }

  @Override
  public void flatten(String image) {
    client.rbdCopying("flatten " + spec(image), "flatten", "--no-progress", spec(image));
  }

  @Override
  public void clone(String image, String snap, String child) {
    CephClient.check("snapshot", snap);
    client.rbd(
        "clone " + spec(image) + "@" + snap + " to " + spec(child),
        "clone",
        spec(image) + "@" + snap,
        spec(child));
  }

  @Override
  public void grow(String image, long bytes) {
    client.rbd("grow " + spec(image), "resize", spec(image), "--size", bytes + "B");
  }

  @Override
  public long used(String image) {
    String what = "measure " + spec(image);
    JsonNode n = json(what, client.rbd(what, "du", spec(image), "--format", "json"));
    long used = 0;
    for (JsonNode i : n.path("images")) {
      if (!i.has("snapshot")) {
        used += i.path("used_size").asLong();
      }
    }
    return used;
  }

  @Override
  public void rename(String from, String to) {
    client.rbd("rename " + spec(from) + " to " + to, "mv", spec(from), spec(to));
  }

  @Override
  public void remove(String image) {
    client.rbd("remove " + spec(image), "rm", "--no-progress", spec(image));
  }

  @Override
  public List<String> openers(String image) {
    String what = "list the clients that have " + spec(image) + " open";
    JsonNode n = json(what, client.rbd(what, "status", spec(image), "--format", "json"));
    List<String> out = new ArrayList<>();
    for (JsonNode w : n.path("watchers")) {
      String address = w.path("address").asText("");
      if (!address.isEmpty()) {
        out.add(address);
      }
    }
    return out;
  }

  @Override
  public void blocklist(String address, java.time.Duration expiry) {
    if (!CLIENT_ADDRESS.matcher(address).matches()) {
      throw new IllegalArgumentException("not a Ceph client address (ip:port/nonce): " + address);
    }
    client.ceph(
        "blocklist client " + address,
        "osd",
        "blocklist",
        "add",
        address,
        String.valueOf(expiry.toSeconds()));
  }

  /** A client instance as Ceph names it: v1:ip:port/nonce, [v6]:port/nonce; never a whole host. */
  private static final java.util.regex.Pattern CLIENT_ADDRESS =
      java.util.regex.Pattern.compile(
          "^(v1:|v2:)?(\\d{1,3}(\\.\\d{1,3}){3}|\\[[0-9a-fA-F:]+\\]):\\d{1,5}/[1-9]\\d*$");
}
