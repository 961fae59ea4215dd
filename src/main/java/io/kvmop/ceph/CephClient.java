package io.kvmop.ceph;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One Ceph client (its monitors, its cephx user and key) as kvmop uses it where libvirt has no
 * call: importing an image into an RBD pool (qemu-img) and reading and writing an RBD image's
 * metadata, where kvmop's mark is (rbd). Each command runs with a ceph.conf and keyring written for
 * that command only, 0600 in a 0700 directory and removed after: the key is never on a command
 * line, in a log or in an error.
 */
public final class CephClient {
  /** One Ceph monitor. */
  public record Monitor(String host, int port) {
    @Override
    public String toString() {
      return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
  }

  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$");
  private static final Duration IMPORT_LIMIT = Duration.ofMinutes(60);
  private static final Duration CALL_LIMIT = Duration.ofMinutes(2);

  private final List<Monitor> monitors;
  private final String user;
  private final String key;

  /**
   * @param user the cephx user without its "client." prefix
   * @param key the cephx key as Ceph prints it (base64)
   */
  public CephClient(List<Monitor> monitors, String user, String key) {
    if (monitors.isEmpty()) {
      throw new IllegalArgumentException("no Ceph monitor");
    }
    check("user", user);
    try {
      Base64.getDecoder().decode(key.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the Ceph key is not base64 (as `ceph auth get-key` prints it)");
    }
    this.monitors = List.copyOf(monitors);
    this.user = user;
    this.key = key.strip();
  }

  /** The key's bytes, as a libvirt secret holds them. */
  public byte[] keyBytes() {
    return Base64.getDecoder().decode(key);
  }

  public List<Monitor> monitors() {
    return monitors;
  }

  public String user() {
    return user;
  }

  /**
   * Writes {@code file} (of qemu-img format {@code format}: qcow2 or raw) into a new raw image
   * {@code pool/image}; the image must not exist yet.
   */
  public void importImage(Path file, String format, String pool, String image) {
    check("pool", pool);
    check("image", image);
    if (!format.equals("raw") && !format.equals("qcow2")) {
      throw new IllegalArgumentException("format " + format + ": raw or qcow2");
    }
    run(
        "import " + file.getFileName() + " into " + pool + "/" + image,
        IMPORT_LIMIT,
        conf ->
            List.of(
                "qemu-img",
                "convert",
                "-f",
                format,
                "-O",
                "raw",
                file.toString(),
                "rbd:" + pool + "/" + image + ":id=" + user + ":conf=" + conf));
  }

  /** Sets one metadata key of image {@code pool/image}. */
  public void setMeta(String pool, String image, String name, String value) {
    check("pool", pool);
    check("image", image);
    check("metadata key", name);
    run(
        "set metadata " + name + " of " + pool + "/" + image,
        CALL_LIMIT,
        conf -> rbd(conf, "image-meta", "set", pool + "/" + image, name, value));
  }

  /** The metadata of image {@code pool/image}. */
  public Map<String, String> meta(String pool, String image) {
    check("pool", pool);
    check("image", image);
    String out =
        run(
            "read metadata of " + pool + "/" + image,
            CALL_LIMIT,
            conf -> rbd(conf, "image-meta", "list", pool + "/" + image, "--format", "json"));
    try {
      return out.isBlank()
          ? Map.of()
          : new ObjectMapper().readValue(out, new TypeReference<Map<String, String>>() {});
    } catch (IOException e) {
      throw new CephError("read metadata of " + pool + "/" + image, -1, "unreadable: " + out);
    }
  }

  /** The images of {@code pool} (in RADOS namespace {@code namespace}, empty for none). */
  public RbdPort pool(String pool, String namespace) {
    return new CephRbd(this, pool, namespace == null ? "" : namespace);
  }

  /** Writes {@code file} into the existing raw image {@code pool/[namespace/]image}. */
  void writeImage(Path file, String format, String pool, String namespace, String image) {
    check("image", image);
    if (!format.equals("raw") && !format.equals("qcow2")) {
      throw new IllegalArgumentException("format " + format + ": raw or qcow2");
    }
    String name = pool + "/" + (namespace.isEmpty() ? "" : namespace + "/") + image;
    run(
        "write " + file.getFileName() + " into " + name,
        IMPORT_LIMIT,
        conf ->
            List.of(
                "qemu-img",
                "convert",
                "-n",
                "-f",
                format,
                "-O",
                "raw",
                file.toString(),
                "rbd:" + name + ":id=" + user + ":conf=" + conf));
  }

  /** One rbd command as this client; its standard output. */
  String rbd(String what, String... args) {
    return run(what, CALL_LIMIT, conf -> rbd(conf, args));
  }

  /** One rbd command that copies data (rollback, flatten), given as long as an import. */
  String rbdCopying(String what, String... args) {
    return run(what, IMPORT_LIMIT, conf -> rbd(conf, args));
  }

  /** One ceph command as this client (what profile rbd allows, e.g. blocklisting a client). */
  String ceph(String what, String... args) {
    return run(
        what,
        CALL_LIMIT,
        conf -> {
          List<String> cmd = new ArrayList<>(List.of("ceph", "-c", conf.toString(), "--id", user));
          cmd.addAll(List.of(args));
          return cmd;
        });
  }

  private List<String> rbd(Path conf, String... args) {
    List<String> cmd = new ArrayList<>(List.of("rbd", "-c", conf.toString(), "--id", user));
    cmd.addAll(List.of(args));
    return cmd;
  }

  @FunctionalInterface
  private interface Command {
    List<String> with(Path conf);
  }

  private String run(String what, Duration limit, Command command) {
    Path dir = null;
    try {
      dir =
          Files.createTempDirectory(
              "kvmop-ceph-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path keyring = dir.resolve("keyring");
      Path conf = dir.resolve("ceph.conf");
      Files.createFile(
          keyring,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(keyring, "[client." + user + "]\n\tkey = " + key + "\n");
      Files.writeString(
          conf,
          "[global]\nmon host = "
              + monitors.stream().map(Monitor::toString).collect(Collectors.joining(","))
              + "\nkeyring = "
              + keyring
              + "\nlog to stderr = false\nerr to stderr = true\n"
              // an unreachable or refusing cluster ends the command soon, not after 5 minutes
              + "client mount timeout = 20\nrados mon op timeout = 30\n"
              // a write an OSD holds (a pool gone full meanwhile) fails, not hangs the pass
              + "rados osd op timeout = 60\n");
      Path out = dir.resolve("out");
      Path err = dir.resolve("err");
      Process p =
          new ProcessBuilder(command.with(conf))
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new CephError(what, -1, "did not end within " + limit.toMinutes() + " min");
      }
      if (p.exitValue() != 0) {
        throw new CephError(
            what, p.exitValue(), last(Files.readString(err, StandardCharsets.UTF_8)));
      }
      return Files.readString(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CephError(what, -1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CephError(what, -1, "interrupted");
    } finally {
      if (dir != null) {
        remove(dir);
      }
    }
  }

  /** The last meaningful line of a tool's error output (the rest is Ceph's own log noise). */
  private static String last(String err) {
    String[] lines = err.strip().split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      String l = lines[i].strip();
      if (!l.isEmpty()) {
        return l.length() > 300 ? l.substring(0, 300) : l;
      }
    }
    return "no message";
  }

  private static void remove(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind holds nothing after the key file is gone
    }
  }

  static void check(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "Ceph " + what + " '" + name + "': letters, digits, '.', '_' and '-' only");
    }
  }
}
