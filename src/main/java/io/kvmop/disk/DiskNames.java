package io.kvmop.disk;

import io.kvmop.api.DiskSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a machine's disks are named and found in the pool: volume names and formats, seed file names,
 * guest device names, and the images the disks download.
 */
public final class DiskNames {
  private DiskNames() {}

  /** A disk's volume format: an overlay on an image is always qcow2; a blank one as declared. */
  public static String formatOf(DiskSpec d) {
    return d.image != null || d.snapshot != null || d.format == null ? "qcow2" : d.format;
  }

  /** The volume of one disk: domain, disk name and the machine's uid, so it is this machine's. */
  public static String volumeName(String domain, String disk, String uid, String format) {
    return domain
        + "-"
        + disk
        + "-"
        + uid.replace("-", "").substring(0, 8)
        + ("raw".equals(format) ? ".img" : ".qcow2");
  }

  /** The start of every seed file name of one domain: a seed is this, its hash and .iso. */
  public static String seedPrefix(String domain) {
    return domain + "-" + DiskProvisioner.CIDATA + "-";
  }

  static String target(String bus, Map<String, Integer> perBus) {
    String prefix = "virtio".equals(bus) ? "vd" : "sd";
    int n = perBus.merge(prefix, 1, Integer::sum) - 1;
    return prefix + (char) ('a' + n);
  }

  /** The images the disks download: URL to sha256. */
  static Map<String, String> downloads(List<DiskSpec> disks) {
    Map<String, String> out = new HashMap<>();
    for (DiskSpec d : disks) {
      if (d.image != null && d.image.url != null && d.image.sha256 != null) {
        out.put(d.image.url, d.image.sha256);
      }
    }
    return out;
  }
}
