package io.kvmop.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The VXLAN devices of spanning networks on this host, through iproute2 ({@code ip}, {@code
 * bridge}): made as declared (re-made when the VNI, address or port differ), attached to the
 * network's bridge and up, and flooding to exactly the declared peers (all-zero FDB entries).
 * Touches only devices of kvmop's derived names.
 */
final class LinuxTunnels {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String ZERO = "00:00:00:00:00:00";

  private LinuxTunnels() {}

  static void ensure(Tunnel t) {
    checkName(t.device());
    JsonNode link = link(t.device());
    if (link != null && !matches(link, t)) {
      run("ip", "link", "delete", "dev", t.device());
      link = null;
    }
    if (link == null) {
      run(
          "ip",
          "link",
          "add",
          t.device(),
          "type",
          "vxlan",
          "id",
          String.valueOf(t.vni()),
          "local",
          t.local(),
          "dstport",
          String.valueOf(t.port()));
    }
    run(
        "ip",
        "link",
        "set",
        "dev",
        t.device(),
        "master",
        t.bridge(),
        "mtu",
        String.valueOf(t.mtu()),
        "up");
    Set<String> now = floodPeers(t.device());
    Set<String> wanted = new TreeSet<>(t.peers());
    for (String p : wanted) {
      if (!now.contains(p)) {
        run("bridge", "fdb", "append", ZERO, "dev", t.device(), "dst", p);
      }
    }
    for (String p : now) {
      if (!wanted.contains(p)) {
        run("bridge", "fdb", "del", ZERO, "dev", t.device(), "dst", p);
      }
    }
  }

  /** Whether the device exists, is up, attached to its bridge, and floods to exactly its peers. */
  static boolean up(Tunnel t) {
    JsonNode link = link(t.device());
    return link != null
        && matches(link, t)
        && t.bridge().equals(link.path("master").asText(null))
        && link.path("flags").toString().contains("\"UP\"")
        && floodPeers(t.device()).equals(new TreeSet<>(t.peers()));
  }

  static void remove(String device) {
    checkName(device);
    if (link(device) != null) {
      run("ip", "link", "delete", "dev", device);
    }
  }

  private static boolean matches(JsonNode link, Tunnel t) {
    JsonNode data = link.path("linkinfo").path("info_data");
    return "vxlan".equals(link.path("linkinfo").path("info_kind").asText())
        && data.path("id").asInt(-1) == t.vni()
        && t.local().equals(data.path("local").asText(null))
        && data.path("port").asInt(-1) == t.port();
  }

  private static JsonNode link(String device) {
    Result r = exec("ip", "-d", "-j", "link", "show", "dev", device);
    if (r.exit != 0) {
      return null; // no such device
    }
    try {
      JsonNode all = JSON.readTree(r.out);
      return all.isArray() && all.size() > 0 ? all.get(0) : null;
    } catch (IOException e) {
      throw new IllegalStateException("ip -j link show " + device + ": unreadable output", e);
    }
  }

  private static Set<String> floodPeers(String device) {
    Result r = exec("bridge", "-j", "fdb", "show", "dev", device);
    Set<String> out = new TreeSet<>();
    if (r.exit != 0) {
      return out;
    }
    try {
      for (JsonNode e : JSON.readTree(r.out)) {
        if (ZERO.equals(e.path("mac").asText()) && e.hasNonNull("dst")) {
          out.add(e.path("dst").asText());
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("bridge -j fdb show " + device + ": unreadable output", e);
    }
    return out;
  }

  private static void checkName(String device) {
    if (!device.matches("kvx[0-9a-f]{8}")) {
      throw new IllegalArgumentException("not a kvmop tunnel device: " + device);
    }
  }

  private record Result(int exit, String out) {}

  private static void run(String... cmd) {
    Result r = exec(cmd);
    if (r.exit != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + r.out.strip());
    }
  }

  private static Result exec(String... cmd) {
    try {
      Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 10 s");
      }
      return new Result(
          p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + cmd[0] + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + cmd[0], e);
    }
  }
}
