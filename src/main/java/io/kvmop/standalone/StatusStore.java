package io.kvmop.standalone;

import io.kvmop.validation.ContainedPath;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The status files of a standalone kvmop, {@code STATUS/KIND/NAMESPACE/NAME.yaml}, kept so that
 * nothing in the manifest directory can steer kvmop's writes and deletes elsewhere: every path is
 * built from checked names ({@link ContainedPath}), no symlink is followed anywhere under the
 * status directory (one found is refused, never used), temporary files are created exclusively, and
 * files are readable by root only (they hold specs, cloud-init user-data included).
 */
final class StatusStore {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
  private final Path root;

  StatusStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  Path root() {
    return root;
  }

  /** The status file of a resource; refused when a name is not a plain path segment. */
  Path file(String kind, String ns, String name) {
    return ContainedPath.resolve(root, kind, ns, name + ".yaml");
  }

  /** Refuses when {@code p} or a directory between the status root and it is a symlink. */
  void checkNoLinks(Path p) throws IOException {
    Path rel = root.relativize(p.normalize());
    if (rel.startsWith("..")) {
      throw new IOException(p + " is outside the status directory " + root);
    }
    Path at = root;
    if (Files.isSymbolicLink(at)) {
      throw new IOException(at + " is a symlink; kvmop does not follow links for status files");
    }
    for (Path part : rel) {
      at = at.resolve(part);
      if (Files.isSymbolicLink(at)) {
        throw new IOException(at + " is a symlink; kvmop does not follow links for status files");
      }
    }
  }

  /** Creates the directories down to {@code dir}, none of them a symlink. */
  void directories(Path dir) throws IOException {
    checkNoLinks(dir);
    Path rel = root.relativize(dir);
    Path at = root;
    mkdir(at);
    for (Path part : rel) {
      at = at.resolve(part);
      mkdir(at);
    }
  }

  private static void mkdir(Path d) throws IOException {
    try {
      Files.createDirectory(d);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(d, NOFOLLOW)) {
        throw new IOException(d + " is not a directory (a symlink is never followed)");
      }
    }
  }

  /** Writes {@code f} atomically (an exclusive temporary file renamed over it), mode 0600. */
  void write(Path f, String text) throws IOException {
    directories(f.getParent());
    Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
    Files.deleteIfExists(tmp); // a leftover of a killed write (a symlink is removed, not followed)
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }
    Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The file's text, or null when it is missing; a symlink is refused. */
  String read(Path f) throws IOException {
    checkNoLinks(f);
    if (!Files.isRegularFile(f, NOFOLLOW)) {
      return null;
    }
    return Files.readString(f);
  }

  /** Deletes a status file; through a symlinked directory nothing is deleted (and it says so). */
  void delete(Path f) throws IOException {
    try {
      checkNoLinks(f.getParent());
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(StatusStore.class)
          .warn("not deleting {}: {}", f, e.getMessage());
      return;
    }
    Files.deleteIfExists(f); // removes a symlink itself, never what it points at
  }

  /**
   * Deletes {@code f} only if it still holds {@code text}: moved aside atomically first, so that a
   * newer text written to it meanwhile (a new power request) is put back, never lost. False when it
   * held something else (then it is there again, or a still newer one is).
   */
  boolean deleteIfHolds(Path f, String text) throws IOException {
    checkNoLinks(f.getParent());
    Path aside = f.resolveSibling(f.getFileName() + ".answered");
    try {
      Files.move(f, aside, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (java.nio.file.NoSuchFileException gone) {
      return true;
    }
    String held = Files.readString(aside);
    if (held.strip().equals(text.strip())) {
      Files.delete(aside);
      return true;
    }
    try {
      Files.createLink(f, aside); // back in place, but never over a newer one (link(2))
    } catch (java.nio.file.FileAlreadyExistsException newer) {
      // a still newer request is there: it stands
    }
    Files.delete(aside);
    return false;
  }

  /** Namespace and name of each status file of this kind (symlinks skipped). */
  List<String[]> list(String kind) throws IOException {
    Path kindDir = root.resolve(kind);
    List<String[]> out = new ArrayList<>();
    if (Files.isSymbolicLink(root)
        || Files.isSymbolicLink(kindDir)
        || !Files.isDirectory(kindDir, NOFOLLOW)) {
      return out;
    }
    try (var nss = Files.list(kindDir)) {
      for (Path ns : nss.filter(d -> Files.isDirectory(d, NOFOLLOW)).toList()) {
        if (!ContainedPath.segment(ns.getFileName().toString())) {
          continue;
        }
        try (var files = Files.list(ns)) {
          files
              .filter(f -> Files.isRegularFile(f, NOFOLLOW))
              .map(f -> f.getFileName().toString())
              .filter(f -> f.endsWith(".yaml"))
              .forEach(
                  f ->
                      out.add(
                          new String[] {
                            ns.getFileName().toString(), f.substring(0, f.length() - 5)
                          }));
        }
      }
    }
    return out;
  }

  /** Deletes every status file of a kind and the directories left empty; nothing else. */
  void forget(String kind) throws IOException {
    for (String[] id : list(kind)) {
      delete(file(kind, id[0], id[1]));
    }
    Path kindDir = root.resolve(kind);
    if (Files.isSymbolicLink(kindDir) || !Files.isDirectory(kindDir, NOFOLLOW)) {
      return;
    }
    try (var nss = Files.list(kindDir)) {
      for (Path ns : nss.filter(d -> Files.isDirectory(d, NOFOLLOW)).toList()) {
        deleteIfEmpty(ns);
      }
    }
    deleteIfEmpty(kindDir);
  }

  private static void deleteIfEmpty(Path d) throws IOException {
    try {
      Files.deleteIfExists(d);
    } catch (java.nio.file.DirectoryNotEmptyException e) {
      // something not ours is in there: keep it
    }
  }
}
