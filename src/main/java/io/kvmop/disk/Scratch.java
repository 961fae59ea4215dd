package io.kvmop.disk;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The pool's scratch directory, where downloads and seeds are written before they are renamed into
 * the pool (so a kill -9 never leaves a half-written volume). libvirt lists every entry of a
 * directory pool, so the directory exists only while something is being written: created with the
 * first scratch file, removed when the last one is gone. One lock for every writer in the process.
 */
final class Scratch {
  private static final Object LOCK = new Object();

  private Scratch() {}

  /** Creates {@code dir} and an empty {@code name} in it, which the caller then fills. */
  static Path reserve(Path dir, String name) throws IOException {
    synchronized (LOCK) {
      Files.createDirectories(dir);
      Path f = dir.resolve(name);
      Files.newOutputStream(f).close();
      return f;
    }
  }

  /** Removes {@code dir} when nothing is being written in it. */
  static void removeIfEmpty(Path dir) {
    synchronized (LOCK) {
      try {
        Files.deleteIfExists(dir);
      } catch (DirectoryNotEmptyException e) {
        // another download or seed is being written
      } catch (IOException e) {
        // kept; removed after the next write
      }
    }
  }

  /** Runs {@code action} while no scratch file can be reserved (for collecting dead ones). */
  static void locked(IoAction action) throws IOException {
    synchronized (LOCK) {
      action.run();
    }
  }

  interface IoAction {
    void run() throws IOException;
  }
}
