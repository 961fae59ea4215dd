package io.kvmop.storage;

import io.kvmop.ids.Hashes;
import java.nio.file.Path;

/**
 * A checked image file on this node that a disk on an rbd pool starts from, and what identifies its
 * content there: its declared sha256, else its node path, size and modification time.
 *
 * @param file the file as the agent reads it
 * @param nodePath the file as the node names it
 * @param format qcow2 or raw
 */
public record ImageFile(
    Path file, String nodePath, String format, long virtualSize, String identity) {
  /** The RBD base image holding this content in a pool. */
  public String imageName() {
    return "kvmop-base-" + Hashes.sha256(identity).substring(0, 24);
  }
}
