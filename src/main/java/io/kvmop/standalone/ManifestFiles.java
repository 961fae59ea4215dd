package io.kvmop.standalone;

import io.kvmop.standalone.Manifests.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which files of a manifest directory are read: the YAML files below it, dot-directories skipped,
 * no symlink leading out, none larger than a Kubernetes object may be; a file removed while the
 * directory is walked (a git pull) is a removed file, never an error.
 */
final class ManifestFiles {
  /**
   * The largest manifest file read (Kubernetes keeps no object over 1.5 MiB): a larger one is
   * refused before it is parsed, so that it costs neither the time nor the memory of parsing it.
   */
  static final long MAX_FILE_BYTES = 1536L << 10;

  private ManifestFiles() {}

  /** The YAML files below {@code dir}: dot-directories skipped, no symlink leading out. */
  static List<Path> list(Path dir, Path realDir, List<Problem> problems) throws IOException {
    List<Path> all = new ArrayList<>();
    Files.walkFileTree(
        dir,
        new java.nio.file.SimpleFileVisitor<>() {
          @Override
          public java.nio.file.FileVisitResult visitFile(
              Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
            all.add(file);
            return java.nio.file.FileVisitResult.CONTINUE;
          }

          @Override
          public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e)
              throws IOException {
            if (e instanceof java.nio.file.NoSuchFileException && !file.equals(dir)) {
              // removed while the walk went by it (a git pull): a removed file
              return java.nio.file.FileVisitResult.CONTINUE;
            }
            throw e;
          }

          @Override
          public java.nio.file.FileVisitResult postVisitDirectory(Path d, IOException e)
              throws IOException {
            if (e != null && !(e instanceof java.nio.file.NoSuchFileException)) {
              throw e;
            }
            return java.nio.file.FileVisitResult.CONTINUE;
          }
        });
    return all.stream()
        .filter(p -> insideOrReport(realDir, p, problems))
        .filter(Files::isRegularFile)
        .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
        .filter(
            p -> dir.relativize(p).toString().chars().noneMatch(c -> c == '.') || !hidden(dir, p))
        .sorted()
        .toList();
  }

  /** Why a file is not read for its size, or null. */
  static Problem tooLarge(Path f) throws IOException {
    long size = Files.size(f);
    return size <= MAX_FILE_BYTES
        ? null
        : new Problem(
            f,
            0,
            "the file is "
                + (size >> 10)
                + " KiB, more than the "
                + (MAX_FILE_BYTES >> 10)
                + " KiB a manifest file may be (Kubernetes keeps no larger object); not read");
  }

  /**
   * A file or directory a symlink makes appear under the manifest directory is read only when it
   * really is inside it: a checkout must not make kvmop read the host's files.
   */
  private static boolean insideOrReport(Path realDir, Path p, List<Problem> problems) {
    if (!Files.isSymbolicLink(p)) {
      return true;
    }
    try {
      if (p.toRealPath().startsWith(realDir)) {
        return true;
      }
    } catch (IOException e) {
      // a dangling link: nothing to read
      return false;
    }
    if (p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")) {
      problems.add(new Problem(p, 0, "a symlink leading outside the manifest directory; not read"));
    }
    return false;
  }

  private static boolean hidden(Path dir, Path p) {
    for (Path part : dir.relativize(p)) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }
}
