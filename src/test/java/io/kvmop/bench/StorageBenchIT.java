package io.kvmop.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.kvmop.ceph.RbdPort;
import io.kvmop.testing.Shell;
import io.kvmop.testing.TestCeph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new disk from a 1 GiB image, three ways, as figures (never timed assertions): an RBD
 * copy-on-write clone of the pool's protected base snapshot (what kvmop does on an rbd
 * KvmStoragePool), a qcow2 overlay on the image file (a directory pool), and a full copy of the
 * image (what a pool without either would need), against the test Ceph and this machine's disk.
 */
@Tag("system")
class StorageBenchIT {
  @TempDir Path dir;

  private static long ms(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }

  @Test
  void aDiskFromAOneGibImageByCloneOverlayAndCopy() throws Exception {
    assumeFalse(System.getProperty("kvmop.it.systemUri", "").isBlank(), "no real libvirtd");
    TestCeph ceph = TestCeph.start();
    RbdPort rbd = ceph.client().pool(TestCeph.POOL, "");
    String id = UUID.randomUUID().toString().substring(0, 8);
    String base = "bench-base-" + id;
    Path image = dir.resolve("image.raw");
    // 1 GiB, 64 MiB of it written (a small OS image's worth), the rest sparse
    Shell.must("qemu-img", "create", "-f", "raw", image.toString(), "1G");
    Shell.must(
        "dd", "if=/dev/urandom", "of=" + image, "bs=1M", "count=64", "conv=notrunc", "status=none");
    try {
      long t = System.nanoTime();
      rbd.create(base, 1L << 30);
      rbd.write(image, "raw", base);
      rbd.snapshot(base, "kvmop");
      long importMs = ms(t);

      long[] clones = new long[5];
      for (int i = 0; i < clones.length; i++) {
        t = System.nanoTime();
        rbd.clone(base, "kvmop", "bench-clone-" + id + "-" + i);
        clones[i] = ms(t);
      }
      long[] overlays = new long[5];
      for (int i = 0; i < overlays.length; i++) {
        t = System.nanoTime();
        Shell.must(
            "qemu-img",
            "create",
            "-q",
            "-f",
            "qcow2",
            "-F",
            "raw",
            "-b",
            image.toString(),
            dir.resolve("overlay-" + i + ".qcow2").toString());
        overlays[i] = ms(t);
      }
      t = System.nanoTime();
      Shell.must("cp", "--sparse=never", image.toString(), dir.resolve("copy.raw").toString());
      Shell.must("sync");
      long copyMs = ms(t);
      t = System.nanoTime();
      assertThat(
              ceph.admin(
                      "cp",
                      "--no-progress",
                      TestCeph.POOL + "/" + base,
                      TestCeph.POOL + "/bench-copy-" + id)
                  .ok())
          .isTrue();
      long rbdCopyMs = ms(t);
      java.util.Arrays.sort(clones);
      java.util.Arrays.sort(overlays);
      System.out.printf(
          "a disk from a 1 GiB image (64 MiB written): RBD clone median %d ms (includes the rbd"
              + " tool's start), qcow2 overlay median %d ms, full file copy %d ms, full RBD copy"
              + " %d ms; the base's one-time import into RBD %d ms%n",
          clones[2], overlays[2], copyMs, rbdCopyMs, importMs);
      assertThat(rbd.images())
          .anyMatch(i -> i.name().equals("bench-clone-" + id + "-0") && i.parent().isPresent());
    } finally {
      for (int i = 0; i < 5; i++) {
        ceph.admin("rm", "--no-progress", TestCeph.POOL + "/bench-clone-" + id + "-" + i);
      }
      ceph.admin("rm", "--no-progress", TestCeph.POOL + "/bench-copy-" + id);
      ceph.admin("snap", "unprotect", TestCeph.POOL + "/" + base + "@kvmop");
      ceph.admin("snap", "purge", TestCeph.POOL + "/" + base);
      ceph.admin("rm", "--no-progress", TestCeph.POOL + "/" + base);
      Files.deleteIfExists(image);
    }
  }
}
