package io.kvmop.disk;

/**
 * What inspecting an image file found: its format, its virtual size, and why it must not be used
 * ({@code refusal}, null when it may).
 */
public record ImageInfo(DiskFormat format, long virtualSize, String refusal) {
  public boolean usable() {
    return refusal == null;
  }
}
