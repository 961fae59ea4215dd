package io.kvmop.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvmop.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small images of each format made by qemu-img, as users bring them, inspected. */
class ImageInspectorTest {
  @TempDir static Path dir;

  @BeforeAll
  static void images() throws Exception {
    Files.write(dir.resolve("base.raw"), new byte[1 << 20]);
    img("create -f qcow2 plain.qcow2 2M");
    img("create -f qcow2 -o compat=0.10 v2.qcow2 3M");
    img("create -f qcow2 -b base.raw -F raw backed.qcow2");
    img("create -f qcow2 -o data_file=ext.data external.qcow2 1M");
    img("create -f qed plain.qed 3M");
    img("create -f qed -b base.raw -F raw backed.qed");
    img("create -f vmdk sparse.vmdk 4M");
    img("create -f vmdk -o subformat=streamOptimized stream.vmdk 5M");
    img("create -f vmdk -o subformat=monolithicFlat flat.vmdk 4M");
    img("create -f vmdk -o subformat=twoGbMaxExtentSparse split.vmdk 4M");
    img("create -f vmdk -b sparse.vmdk -F vmdk delta.vmdk");
    img("create -f vpc disk.vhd 1M");
    img("create -f vhdx disk.vhdx 1M");
    img("create -f vdi disk.vdi 1M");
  }

  private static void img(String args) throws Exception {
    Shell.must("sh", "-c", "cd " + dir + " && qemu-img " + args + " >/dev/null");
  }

  private static ImageInfo inspect(String name) throws Exception {
    return ImageInspector.inspect(dir.resolve(name));
  }

  @Test
  void selfContainedImagesAreDetectedWithTheirVirtualSize() throws Exception {
    assertUsable("base.raw", DiskFormat.RAW, 1 << 20);
    assertUsable("plain.qcow2", DiskFormat.QCOW2, 2 << 20);
    assertUsable("v2.qcow2", DiskFormat.QCOW2, 3 << 20);
    assertUsable("plain.qed", DiskFormat.QED, 3 << 20);
    assertUsable("sparse.vmdk", DiskFormat.VMDK, 4 << 20);
    assertUsable("stream.vmdk", DiskFormat.VMDK, 5 << 20);
  }

  private static void assertUsable(String name, DiskFormat f, long size) throws Exception {
    ImageInfo i = inspect(name);
    assertNull(i.refusal(), name);
    assertEquals(f, i.format(), name);
    assertEquals(size, i.virtualSize(), name);
  }

  @Test
  void truncatedAndImpossibleHeadersAreRefusedNeverThrown() throws Exception {
    byte[] qcow2 = Files.readAllBytes(dir.resolve("plain.qcow2"));
    for (int len : new int[] {4, 20, 72, 76, 100}) {
      Files.write(dir.resolve("cut.qcow2"), java.util.Arrays.copyOf(qcow2, len));
      ImageInfo i = inspect("cut.qcow2");
      assertTrue(i.refusal() != null && i.refusal().contains("truncated"), len + ": " + i);
    }
    byte[] vmdk = Files.readAllBytes(dir.resolve("sparse.vmdk"));
    java.nio.ByteBuffer.wrap(vmdk).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(12, -8);
    Files.write(dir.resolve("negative.vmdk"), vmdk);
    assertRefused("negative.vmdk", DiskFormat.VMDK, "not between 0 and 1 PiB");
    java.nio.ByteBuffer.wrap(vmdk)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putLong(12, 8)
        .putLong(28, Long.MAX_VALUE / 256);
    Files.write(dir.resolve("offset.vmdk"), vmdk);
    assertRefused("offset.vmdk", DiskFormat.VMDK, "no embedded descriptor");
    byte[] huge = Files.readAllBytes(dir.resolve("plain.qcow2"));
    java.nio.ByteBuffer.wrap(huge).putLong(24, Long.MAX_VALUE);
    Files.write(dir.resolve("huge.qcow2"), huge);
    assertRefused("huge.qcow2", DiskFormat.QCOW2, "not between 0 and 1 PiB");
    Files.write(
        dir.resolve("qed.cut"),
        java.util.Arrays.copyOf(Files.readAllBytes(dir.resolve("plain.qed")), 30));
    assertRefused("qed.cut", DiskFormat.QED, "truncated");
  }

  @Test
  void absurdClusterBitsAndEmptyFilesAreRefusedWithTheReason() throws Exception {
    for (int bits : new int[] {0, 8, 22, 63, -1}) {
      byte[] q = Files.readAllBytes(dir.resolve("plain.qcow2"));
      java.nio.ByteBuffer.wrap(q).putInt(20, bits);
      Files.write(dir.resolve("bits.qcow2"), q);
      assertRefused("bits.qcow2", DiskFormat.QCOW2, "cluster_bits");
    }
    Files.write(dir.resolve("empty.img"), new byte[0]);
    ImageInfo empty = inspect("empty.img");
    assertTrue(empty.refusal() != null && empty.refusal().contains("empty (0 bytes)"), "" + empty);
  }

  @Test
  void imagesWithABackingFileOfTheirOwnAreRefused() throws Exception {
    assertRefused("backed.qcow2", DiskFormat.QCOW2, "backing file");
    assertRefused("backed.qed", DiskFormat.QED, "backing file");
    assertRefused("delta.vmdk", DiskFormat.VMDK, "parent");
  }

  @Test
  void externalDataAndMultiFileVmdkAreRefused() throws Exception {
    assertRefused("external.qcow2", DiskFormat.QCOW2, "external data file");
    assertRefused("flat.vmdk", DiskFormat.VMDK, "monolithicFlat");
    assertRefused("split.vmdk", DiskFormat.VMDK, "twoGbMaxExtentSparse");
  }

  @Test
  void otherFormatsAreNotMistakenForRaw() throws Exception {
    assertRefused("disk.vhd", null, "VHD");
    assertRefused("disk.vhdx", null, "VHDX");
    assertRefused("disk.vdi", null, "VDI");
  }

  private static void assertRefused(String name, DiskFormat f, String why) throws Exception {
    ImageInfo i = inspect(name);
    assertEquals(f, i.format(), name);
    assertTrue(i.refusal() != null && i.refusal().contains(why), name + ": " + i.refusal());
  }
}
