package io.kvmop.disk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Where an image path may point: inside one of the node's image directories, after every symlink is
 * followed, and at a regular file. The node's filesystem may be mounted elsewhere (the agent's
 * {@code /host}); symlinks are then resolved against that root, as the node would resolve them.
 */
public final class ImagePaths {
  private static final int MAX_LINKS = 40;

  private ImagePaths() {}

  /** The checked path (as the node sees it), or why it is refused. */
  public record Checked(String nodePath, String refusal) {
    public boolean ok() {
      return refusal == null;
    }
  }

  /**
   * @param path the path as written in the spec
   * @param allowed the node's image directories
   * @param hostRoot where the node's / is visible to this process
   */
  public static Checked check(String path, List<String> allowed, Path hostRoot) {
    String lexical = lexicalProblem(path);
    if (lexical != null) {
      return new Checked(null, lexical);
    }
    if (inside(path, allowed) == null) {
      return new Checked(null, path + " is outside the node's image directories " + allowed);
    }
    String resolved;
    try {
      resolved = resolve(hostRoot, path);
    } catch (IOException e) {
      return new Checked(null, "cannot read " + path + " on the node: " + e.getMessage());
    }
    if (resolved == null) {
      return new Checked(null, path + " has a symlink loop");
    }
    String dir = null;
    for (String a : allowed) {
      try {
        String realDir = resolve(hostRoot, normalizeDir(a));
        if (realDir != null && (resolved.startsWith(realDir + "/"))) {
          dir = a;
        }
      } catch (IOException e) {
        // a missing image directory simply allows nothing
      }
    }
    if (dir == null) {
      return new Checked(
          null,
          path
              + " leads to "
              + resolved
              + " (through a symlink), which is outside the node's image directories "
              + allowed);
    }
    Path onHost = onHost(hostRoot, resolved);
    if (!Files.exists(onHost, LinkOption.NOFOLLOW_LINKS)) {
      return new Checked(null, path + " does not exist on the node");
    }
    if (!Files.isRegularFile(onHost, LinkOption.NOFOLLOW_LINKS)) {
      return new Checked(
          null, path + " is not a regular file (a directory, device or socket is never an image)");
    }
    return new Checked(resolved, null);
  }

  /** Absolute, no "." or ".." segments, no empty names. */
  public static String lexicalProblem(String path) {
    if (path == null || !path.startsWith("/")) {
      return "image path " + path + " is not absolute";
    }
    if (path.indexOf('\0') >= 0) {
      return "image path contains a NUL character";
    }
    for (String part : path.substring(1).split("/", -1)) {
      if (part.equals("..") || part.equals(".")) {
        return "image path " + path + " contains '" + part + "'; write the plain absolute path";
      }
    }
    return null;
  }

  /** The allowed directory a path lies in, lexically; null when none. */
  public static String inside(String path, List<String> allowed) {
    for (String a : allowed) {
      String d = normalizeDir(a);
      if (path.startsWith(d + "/") && path.length() > d.length() + 1) {
        return a;
      }
    }
    return null;
  }

  private static String normalizeDir(String d) {
    String s = d;
    while (s.length() > 1 && s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  private static Path onHost(Path hostRoot, String nodePath) {
    return hostRoot.resolve(nodePath.substring(1));
  }

  /**
   * Follows every symlink in {@code path} as the node would, reading links under {@code hostRoot};
   * null on a loop. Components that do not exist are kept as written.
   */
  static String resolve(Path hostRoot, String path) throws IOException {
    Deque<String> todo = new ArrayDeque<>();
    push(todo, path);
    Deque<String> done = new ArrayDeque<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String part = todo.pop();
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!done.isEmpty()) {
          done.removeLast();
        }
        continue;
      }
      String candidate = join(done) + "/" + part;
      Path p = onHost(hostRoot, candidate);
      if (Files.isSymbolicLink(p)) {
        if (++links > MAX_LINKS) {
          return null;
        }
        String target = Files.readSymbolicLink(p).toString();
        if (target.startsWith("/")) {
          done.clear();
        }
        push(todo, target);
      } else {
        done.addLast(part);
      }
    }
    return join(done);
  }

  private static void push(Deque<String> todo, String path) {
    String[] parts = path.split("/");
    for (int i = parts.length - 1; i >= 0; i--) {
      todo.push(parts[i]);
    }
  }

  private static String join(Deque<String> parts) {
    return parts.isEmpty() ? "" : "/" + String.join("/", parts);
  }
}
