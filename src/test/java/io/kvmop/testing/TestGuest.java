package io.kvmop.testing;

import java.nio.file.Path;

/** The tiny guest from Debian packages (src/test/guest/build-guest.sh), built once and cached. */
public final class TestGuest {
  private TestGuest() {}

  /** The directory holding vmlinuz and initrd.gz. */
  public static Path build() {
    String out = Shell.must("bash", "src/test/guest/build-guest.sh").strip();
    String[] lines = out.split("\n");
    return Path.of(lines[lines.length - 1].strip());
  }
}
