package io.kvmop.standalone;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One standalone kvmop per manifest directory: {@code kvmop run} and {@code kvmop delete} on the
 * same directory would undo each other (run starts again what delete removes). The lock is an OS
 * file lock on {@code .lock} in the status directory, so a killed process (kill -9) releases it.
 */
public final class DirectoryLock implements AutoCloseable {
  static final String FILE = ".lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DirectoryLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Another kvmop works on the directory; the message says which and what to do. */
  public static final class HeldException extends RuntimeException {
    HeldException(String message) {
      super(message);
    }
  }

  /**
   * Takes the lock of a status directory (created when missing) for {@code command}.
   *
   * @throws HeldException when another kvmop holds it
   */
  public static DirectoryLock acquire(Path statusDir, Path manifests, String command)
      throws IOException {
    new StatusStore(statusDir).directories(statusDir.toAbsolutePath().normalize());
    Path file = statusDir.resolve(FILE);
    // never through a symlink: a .lock link in a checkout would have kvmop write elsewhere
    FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE,
            java.nio.file.LinkOption.NOFOLLOW_LINKS);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by this very process
    }
    if (lock == null) {
      String holder = holder(channel);
      channel.close();
      throw new HeldException(
          "another kvmop ("
              + (holder.isBlank() ? "unknown" : holder)
              + ") is working on "
              + manifests
              + "; stop it first (Ctrl-C), then run "
              + command
              + " again");
    }
    channel.truncate(0);
    channel.write(
        ByteBuffer.wrap(
            ("kvmop "
                    + command
                    + ", pid "
                    + ProcessHandle.current().pid()
                    + ", since "
                    + Instant.now()
                    + "\n")
                .getBytes(StandardCharsets.UTF_8)),
        0);
    channel.force(false);
    return new DirectoryLock(channel, lock);
  }

  private static String holder(FileChannel channel) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(512);
    channel.read(buf, 0);
    return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
  }

  @Override
  public void close() throws IOException {
    lock.release();
    channel.close();
  }
}
