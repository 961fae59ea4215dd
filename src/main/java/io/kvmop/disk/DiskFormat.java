package io.kvmop.disk;

import java.util.Locale;
import java.util.Optional;

/** The image formats kvmop accepts as base images (Nova's list); overlays are always qcow2. */
public enum DiskFormat {
  RAW,
  QCOW2,
  QED,
  VMDK;

  /** libvirt's and qemu-img's name. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<DiskFormat> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    for (DiskFormat f : values()) {
      if (f.wireName().equalsIgnoreCase(text)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }
}
