package io.kvmop.disk;

import io.kvmop.api.BootSpec;
import io.kvmop.status.Blocker;
import io.kvmop.status.Reasons;
import java.util.List;

/**
 * The kernel and initrd of a direct kernel boot, checked as base images are (inside the node's
 * image directories, a regular file, no symlink leading out, never kvmop's pool, decided on the
 * opened file): libvirt hands them to QEMU and relabels them for it, so an unchecked path would
 * give a guest any file of the host (/etc/shadow as initrd, a disk device as kernel).
 *
 * @param kernel the kernel's real path on the node, or null without direct kernel boot
 * @param initrd the initrd's real path, or null
 * @param blocker why they cannot be used, or null
 */
public record BootFiles(String kernel, String initrd, Blocker blocker) {

  public static BootFiles check(BootSpec boot, List<String> allowed, StorageConfig config) {
    if (boot == null) {
      return new BootFiles(null, null, null);
    }
    String[] real = new String[2];
    String[][] files = {{"kernel", boot.kernel}, {"initrd", boot.initrd}};
    for (int i = 0; i < files.length; i++) {
      if (files[i][1] == null) {
        continue;
      }
      try (AllowedFile f =
          AllowedFile.open(files[i][1], allowed, config.poolPath(), config.hostRoot())) {
        real[i] = f.nodePath();
      } catch (AllowedFile.Refused e) {
        return new BootFiles(
            null,
            null,
            new Blocker(
                Reasons.BOOT_PATH_REFUSED,
                "spec.boot."
                    + files[i][0]
                    + ": "
                    + e.getMessage()
                    + " (the node's KvmHost spec.imageDirectories lists where kernels and"
                    + " initrds may be)"));
      }
    }
    return new BootFiles(real[0], real[1], null);
  }
}
