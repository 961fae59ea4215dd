package io.kvmop.disk;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Opens a host file that a spec names (a base image, a kernel, an initrd) and decides on the file
 * it opened, not on its name: the file is opened without following a final symlink and without side
 * effects ({@code O_PATH}), and the kernel's own record of what is open ({@code /proc/self/fd/N})
 * must be a regular file inside one of the allowed directories and outside kvmop's storage pool. A
 * symlink or directory swapped in between the lexical check and the open therefore cannot redirect
 * kvmop to another file (no check-then-use race). The path it returns is that real path: it holds
 * no symlink, so QEMU later opens the same file as long as nobody but the node's admin can write to
 * the image directories (docs/security.md).
 */
public final class AllowedFile implements AutoCloseable {
  private static final int O_PATH = 010000000;
  private static final int O_NOFOLLOW = 0400000;
  private static final int O_CLOEXEC = 02000000;

  private interface LibC extends Library {
    int open(String path, int flags);

    int close(int fd);
  }

  private static final LibC C = Native.load("c", LibC.class);

  private final int fd;
  private final String nodePath;

  private AllowedFile(int fd, String nodePath) {
    this.fd = fd;
    this.nodePath = nodePath;
  }

  /** Why a file is not taken; the message names the path and never the file's content. */
  public static final class Refused extends Exception {
    public Refused(String message) {
      super(message);
    }
  }

  /**
   * @param path the path as the spec wrote it
   * @param allowed directories (as the node sees them) the file must be in
   * @param pool kvmop's storage pool directory: never a source, whatever {@code allowed} says
   * @param hostRoot where the node's / is visible to this process
   */
  public static AllowedFile open(String path, List<String> allowed, String pool, Path hostRoot)
      throws Refused {
    ImagePaths.Checked c = ImagePaths.check(path, allowed, hostRoot);
    if (!c.ok()) {
      throw new Refused(c.refusal());
    }
    if (pool != null && within(c.nodePath(), realDir(hostRoot, pool))) {
      throw new Refused(poolRefusal(path));
    }
    Path onHost = hostRoot.resolve(c.nodePath().substring(1));
    int fd = C.open(onHost.toString(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      throw new Refused(
          path + " cannot be opened on the node (errno " + Native.getLastError() + ")");
    }
    AllowedFile f = new AllowedFile(fd, null);
    try {
      Path opened = Files.readSymbolicLink(f.handle());
      String nodePath = nodeView(hostRoot, opened);
      if (nodePath == null) {
        throw new Refused(path + " is not on the node's filesystem");
      }
      if (!Files.readAttributes(f.handle(), BasicFileAttributes.class).isRegularFile()) {
        throw new Refused(path + " is not a regular file (a directory, device or socket never is)");
      }
      boolean inside = false;
      for (String a : allowed) {
        inside |= within(nodePath, realDir(hostRoot, a));
      }
      if (!inside) {
        throw new Refused(
            path + " changed while it was opened and now leads outside " + allowed + "; refused");
      }
      if (pool != null && within(nodePath, realDir(hostRoot, pool))) {
        throw new Refused(poolRefusal(path));
      }
      return new AllowedFile(fd, nodePath);
    } catch (IOException e) {
      f.close();
      throw new Refused("cannot read " + path + " on the node: " + e.getMessage());
    } catch (Refused e) {
      f.close();
      throw e;
    }
  }

  private static String poolRefusal(String path) {
    return path
        + " is in kvmop's storage pool, which holds other machines' volumes and cloud-init seeds;"
        + " it is never an image directory (put images in one of the KvmHost's"
        + " spec.imageDirectories, or give a url)";
  }

  /** The file's real path as the node sees it: no symlink in it. */
  public String nodePath() {
    return nodePath;
  }

  /** The open file, by the kernel's handle: reading it never follows a name again. */
  public Path handle() {
    return Path.of("/proc/self/fd/" + fd);
  }

  /** The file's content, read through the handle. */
  public FileChannel read() throws IOException {
    return FileChannel.open(handle(), StandardOpenOption.READ);
  }

  @Override
  public void close() {
    C.close(fd);
  }

  private static boolean within(String nodePath, String dir) {
    return dir != null
        && (nodePath.equals(dir) || nodePath.startsWith(dir.equals("/") ? "/" : dir + "/"));
  }

  private static String realDir(Path hostRoot, String dir) {
    try {
      return nodeView(hostRoot, hostRoot.resolve(dir.substring(1)).toRealPath());
    } catch (IOException | RuntimeException e) {
      return null; // a missing directory allows nothing
    }
  }

  private static String nodeView(Path hostRoot, Path local) throws IOException {
    Path root = hostRoot.toRealPath();
    Path abs = local.toAbsolutePath().normalize();
    if (!abs.startsWith(root)) {
      return null;
    }
    String rel = root.relativize(abs).toString();
    return "/" + rel;
  }
}
