package io.kvmop.storage;

import io.kvmop.api.KvmStoragePool;
import io.kvmop.api.RbdPoolSpec;
import io.kvmop.ceph.CephClient;
import io.kvmop.ceph.RbdPort;
import io.kvmop.ids.Hashes;
import io.kvmop.libvirt.xml.DomainDevices;
import io.kvmop.status.Blocker;
import io.kvmop.status.Reasons;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How this node reaches one rbd KvmStoragePool: its monitors parsed, its key read from kvmop's own
 * namespace, and one Ceph client per pool and key, made again when either changes.
 */
public final class RbdAccess {
  /** A pool as reached: the images port, the monitors for domain XML, and the key's bytes. */
  record Reached(
      KvmStoragePool pool, RbdPort images, List<DomainDevices.NetworkHost> monitors, byte[] key) {
    RbdPoolSpec spec() {
      return pool.getSpec().rbd;
    }

    String name() {
      return pool.getMetadata().getName();
    }
  }

  /** The access, or why the pool cannot be reached from here. */
  record Result(Reached reached, Blocker blocker) {}

  /** Makes the images port of a client for a pool and namespace (the tests' fake, or Ceph). */
  public interface Ports {
    RbdPort of(CephClient client, String pool, String namespace);

    Ports CEPH = (client, pool, namespace) -> client.pool(pool, namespace);
  }

  private final StorageCatalog catalog;
  private final Ports ports;
  private final Map<String, Map.Entry<String, Reached>> clients = new ConcurrentHashMap<>();

  RbdAccess(StorageCatalog catalog, Ports ports) {
    this.catalog = catalog;
    this.ports = ports;
  }

  Result reach(KvmStoragePool pool) {
    RbdPoolSpec spec = pool.getSpec().rbd;
    String name = pool.getMetadata().getName();
    if (spec.secretRef == null || spec.secretRef.name == null) {
      return failed(
          Reasons.CEPH_KEY_NOT_FOUND, "KvmStoragePool " + name + " has no spec.rbd.secretRef");
    }
    var key = catalog.key(spec.secretRef);
    if (key.isEmpty()) {
      return failed(
          Reasons.CEPH_KEY_NOT_FOUND,
          "KvmStoragePool "
              + name
              + ": Secret "
              + spec.secretRef.name
              + " in "
              + catalog.keyPlace()
              + " has no key '"
              + spec.secretRef.keyOrDefault()
              + "' (the Ceph client's key, as `ceph auth get-key client."
              + spec.userOrDefault()
              + "` prints it)");
    }
    List<CephClient.Monitor> monitors = new ArrayList<>();
    for (String m : spec.monitors == null ? List.<String>of() : spec.monitors) {
      CephClient.Monitor parsed = monitor(m);
      if (parsed == null) {
        return failed(
            Reasons.STORAGE_UNAVAILABLE,
            "KvmStoragePool "
                + name
                + ": spec.rbd.monitors entry '"
                + m
                + "' is not host:port (e.g. 10.0.0.1:6789 or [fd00::1]:6789)");
      }
      monitors.add(parsed);
    }
    if (monitors.isEmpty()) {
      return failed(
          Reasons.STORAGE_UNAVAILABLE, "KvmStoragePool " + name + ": spec.rbd.monitors is empty");
    }
    String version =
        Hashes.sha256(
            monitors
                + "|"
                + spec.pool
                + "|"
                + spec.namespaceOrEmpty()
                + "|"
                + spec.userOrDefault()
                + "|"
                + key.get().strip());
    Map.Entry<String, Reached> known = clients.get(pool.getMetadata().getUid());
    if (known != null && known.getKey().equals(version)) {
      return new Result(known.getValue(), null);
    }
    CephClient client;
    try {
      client = new CephClient(monitors, spec.userOrDefault(), key.get());
    } catch (IllegalArgumentException e) {
      return failed(Reasons.CEPH_KEY_NOT_FOUND, "KvmStoragePool " + name + ": " + e.getMessage());
    }
    Reached r =
        new Reached(
            pool,
            ports.of(client, spec.pool, spec.namespaceOrEmpty()),
            monitors.stream()
                .map(m -> new DomainDevices.NetworkHost(m.host(), String.valueOf(m.port())))
                .toList(),
            client.keyBytes());
    clients.put(pool.getMetadata().getUid(), Map.entry(version, r));
    return new Result(r, null);
  }

  /** host, host:port, [v6] or [v6]:port; null when it is none of them. */
  static CephClient.Monitor monitor(String text) {
    String t = text == null ? "" : text.strip();
    if (t.startsWith("v1:")) {
      t = t.substring(3);
    }
    String host;
    String port = "6789";
    if (t.startsWith("[")) {
      int end = t.indexOf(']');
      if (end < 0) {
        return null;
      }
      host = t.substring(1, end);
      String rest = t.substring(end + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          return null;
        }
        port = rest.substring(1);
      }
    } else {
      int colon = t.indexOf(':');
      host = colon < 0 ? t : t.substring(0, colon);
      if (colon >= 0) {
        port = t.substring(colon + 1);
      }
    }
    if (!host.matches("[A-Za-z0-9.:-]{1,253}") || !port.matches("[0-9]{1,5}")) {
      return null;
    }
    int p = Integer.parseInt(port);
    return p < 1 || p > 65535 ? null : new CephClient.Monitor(host, p);
  }

  private static Result failed(String reason, String message) {
    return new Result(null, new Blocker(reason, message));
  }
}
