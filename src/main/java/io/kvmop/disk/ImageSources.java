package io.kvmop.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The URLs a cached image was verified to come from, kept on the image file itself (the extended
 * attribute {@value #ATTRIBUTE}: it survives a restart, goes with the file and adds no entry to the
 * pool directory, which libvirt lists whole), and in memory where the filesystem keeps no user
 * attributes (such a node verifies each URL again after a restart, by fetching it).
 */
final class ImageSources {
  static final String ATTRIBUTE = "kvmop.sources";
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ImageSources.class);

  private final Map<String, Set<String>> remembered = new ConcurrentHashMap<>();

  /** Whether {@code url} is among the sources of the image in {@code file}. */
  boolean has(Path file, String url) {
    Set<String> known = remembered.get(identity(file));
    if (known != null && known.contains(url)) {
      return true; // every pass of every machine asks: the file is read once
    }
    if (!read(file).contains(url)) {
      return false;
    }
    remember(file, url);
    return true;
  }

  private void remember(Path file, String url) {
    remembered.computeIfAbsent(identity(file), k -> ConcurrentHashMap.newKeySet()).add(url);
  }

  /**
   * Records {@code url} as a source of the image in {@code file} (a scratch file, or the image).
   */
  void add(Path file, String url) {
    Set<String> all = new LinkedHashSet<>(read(file));
    all.add(url);
    String text = String.join("\n", all);
    try {
      view(file).write(ATTRIBUTE, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("cannot record the sources of {} on the file ({}): kept in memory", file, e);
    }
    remember(file, url);
  }

  /** Forgets the image's sources (its file was deleted). */
  void forget(Path file) {
    remembered.remove(identity(file));
  }

  private static Set<String> read(Path file) {
    try {
      UserDefinedFileAttributeView v = view(file);
      if (v == null || !v.list().contains(ATTRIBUTE)) {
        return Set.of();
      }
      ByteBuffer b = ByteBuffer.allocate(v.size(ATTRIBUTE));
      v.read(ATTRIBUTE, b);
      b.flip();
      return Set.of(StandardCharsets.UTF_8.decode(b).toString().split("\n"));
    } catch (IOException | UnsupportedOperationException e) {
      return Set.of();
    }
  }

  private static UserDefinedFileAttributeView view(Path file) {
    return Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
  }

  /**
   * The image a file holds, by its name (the image's checksum): what is remembered of a scratch
   * file holds for the image it is renamed to.
   */
  private static String identity(Path file) {
    String name = file.getFileName().toString();
    int dot = name.indexOf('.');
    return dot < 0 ? name : name.substring(0, dot);
  }
}
