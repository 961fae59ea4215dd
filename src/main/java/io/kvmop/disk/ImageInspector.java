package io.kvmop.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Detects an image's format from its header and checks it is safe to use as a base, as Nova's
 * format inspector does: a base image must be self-contained, so images that name a backing file or
 * an external data file of their own, and VMDK subformats that reference other files, are refused
 * (otherwise a crafted image makes QEMU read any file on the host). Formats kvmop does not take are
 * recognised and refused rather than mistaken for raw.
 */
public final class ImageInspector {
  private static final int QCOW2_MAGIC = 0x514649fb;
  private static final long QCOW2_INCOMPAT_DIRTY_CORRUPT_MASK = 0x2;
  private static final long QCOW2_INCOMPAT_DATA_FILE = 0x4;
  private static final long QED_F_BACKING_FILE = 0x1;

  /** Nova's list: the VMDK subformats whose data is all inside the one file. */
  private static final Set<String> SELF_CONTAINED_VMDK =
      Set.of("monolithicSparse", "streamOptimized");

  private static final Pattern CREATE_TYPE =
      Pattern.compile("(?m)^\\s*createType\\s*=\\s*\"([^\"]*)\"");
  private static final Pattern PARENT_HINT = Pattern.compile("(?m)^\\s*parentFileNameHint\\s*=");
  private static final Pattern PARENT_CID =
      Pattern.compile("(?m)^\\s*parentCID\\s*=\\s*([0-9a-fA-F]+)");

  private ImageInspector() {}

  /** The largest virtual size taken (8 EiB would overflow QEMU's arithmetic): 1 PiB. */
  static final long MAX_VIRTUAL_SIZE = 1L << 50;

  public static ImageInfo inspect(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return inspect(ch, file.getFileName().toString());
    }
  }

  /**
   * Inspects an open file. A header that is truncated or holds impossible values (a negative or
   * absurd size, offsets past the end) is refused as malformed; it never throws for what the file
   * holds, only for what reading it fails with.
   */
  public static ImageInfo inspect(FileChannel ch, String name) throws IOException {
    long fileSize = ch.size();
    ByteBuffer head = read(ch, 0, 512);
    ImageInfo info;
    try {
      info = inspect(ch, head, fileSize, name);
    } catch (RuntimeException e) { // IndexOutOfBounds, BufferUnderflow: a truncated header
      return refuse(
          null, 0, "its header is truncated or malformed (" + e.getClass().getSimpleName() + ")");
    }
    if (info.usable() && (info.virtualSize() < 0 || info.virtualSize() > MAX_VIRTUAL_SIZE)) {
      return refuse(
          info.format(),
          0,
          "its header declares a virtual size of "
              + info.virtualSize()
              + " bytes, which is not between 0 and 1 PiB: the file is malformed");
    }
    return info;
  }

  private static ImageInfo inspect(FileChannel ch, ByteBuffer head, long fileSize, String name)
      throws IOException {
    if (fileSize == 0) {
      return refuse(null, 0, "the file is empty (0 bytes): no image at all, not a raw disk");
    }
    if (head.limit() >= 4 && head.order(ByteOrder.BIG_ENDIAN).getInt(0) == QCOW2_MAGIC) {
      if (head.limit() < 104) {
        return refuse(
            DiskFormat.QCOW2, 0, "its qcow2 header is truncated (" + head.limit() + " bytes)");
      }
      return qcow2(head);
    }
    byte[] magic = new byte[Math.min(8, head.limit())];
    head.get(0, magic);
    String m = new String(magic, StandardCharsets.ISO_8859_1);
    if (m.startsWith("QED\0")) {
      if (head.limit() < 64) {
        return refuse(
            DiskFormat.QED, 0, "its QED header is truncated (" + head.limit() + " bytes)");
      }
      return qed(head.order(ByteOrder.LITTLE_ENDIAN));
    }
    if (m.startsWith("KDMV")) {
      if (head.limit() < 44) {
        return refuse(
            DiskFormat.VMDK, 0, "its VMDK header is truncated (" + head.limit() + " bytes)");
      }
      return vmdkSparse(ch, head.order(ByteOrder.LITTLE_ENDIAN), name);
    }
    if (m.startsWith("COWD")) {
      return refuse(
          DiskFormat.VMDK, 0, "it is an ESX VMDK (COWD) delta disk, which needs a parent");
    }
    String text = new String(bytes(head), StandardCharsets.ISO_8859_1);
    if (text.startsWith("# Disk DescriptorFile")) {
      return refuse(
          DiskFormat.VMDK,
          0,
          "it is a VMDK descriptor that references other files (createType "
              + createType(text)
              + "); use a monolithicSparse or streamOptimized VMDK, or convert it: qemu-img"
              + " convert -O qcow2 "
              + name
              + " "
              + name.replaceAll("\\.vmdk$", "")
              + ".qcow2");
    }
    String other = otherFormat(text);
    if (other != null) {
      return refuse(
          null,
          0,
          "it is a "
              + other
              + " image, which kvmop does not take as a base; convert it: qemu-img convert -O"
              + " qcow2 "
              + name
              + " "
              + name
              + ".qcow2");
    }
    return new ImageInfo(DiskFormat.RAW, fileSize, null);
  }

  private static ImageInfo qcow2(ByteBuffer h) {
    int version = h.getInt(4);
    long backingOffset = h.getLong(8);
    long size = h.getLong(24);
    int clusterBits = h.getInt(20);
    int cryptMethod = h.getInt(32);
    if (version < 2 || version > 3) {
      return refuse(DiskFormat.QCOW2, size, "its qcow2 version " + version + " is unknown");
    }
    if (clusterBits < 9 || clusterBits > 21) { // what QEMU opens: 512 bytes to 2 MiB clusters
      return refuse(
          DiskFormat.QCOW2,
          size,
          "its qcow2 header declares cluster_bits "
              + Integer.toUnsignedString(clusterBits)
              + ", not between 9 and 21 (clusters of 512 bytes to 2 MiB): the file is malformed");
    }
    if (backingOffset != 0) {
      return refuse(
          DiskFormat.QCOW2,
          size,
          "it names a backing file of its own; flatten it first: qemu-img convert -O qcow2"
              + " IMAGE FLAT.qcow2");
    }
    if (cryptMethod != 0) {
      return refuse(
          DiskFormat.QCOW2, size, "it is encrypted (qcow2 crypt method " + cryptMethod + ")");
    }
    if (version == 3) {
      long incompatible = h.getLong(72);
      if ((incompatible & QCOW2_INCOMPAT_DATA_FILE) != 0) {
        return refuse(
            DiskFormat.QCOW2,
            size,
            "it keeps its data in an external data file; convert it to a self-contained image:"
                + " qemu-img convert -O qcow2 IMAGE FLAT.qcow2");
      }
      if ((incompatible & QCOW2_INCOMPAT_DIRTY_CORRUPT_MASK) != 0) {
        return refuse(DiskFormat.QCOW2, size, "it is marked corrupt; qemu-img check -r all IMAGE");
      }
    }
    return new ImageInfo(DiskFormat.QCOW2, size, null);
  }

  private static ImageInfo qed(ByteBuffer h) {
    long features = h.getLong(16);
    long size = h.getLong(48);
    if ((features & QED_F_BACKING_FILE) != 0 || h.getInt(56) != 0) {
      return refuse(
          DiskFormat.QED,
          size,
          "it names a backing file of its own; flatten it first: qemu-img convert -O qcow2"
              + " IMAGE FLAT.qcow2");
    }
    return new ImageInfo(DiskFormat.QED, size, null);
  }

  private static ImageInfo vmdkSparse(FileChannel ch, ByteBuffer h, String name)
      throws IOException {
    long sectors = h.getLong(12);
    long descSectors = h.getLong(28);
    long descLen = h.getLong(36);
    if (sectors < 0 || sectors > MAX_VIRTUAL_SIZE / 512) {
      return refuse(
          DiskFormat.VMDK,
          0,
          "its VMDK header declares " + sectors + " sectors, which is not between 0 and 1 PiB");
    }
    long capacity = sectors * 512;
    if (descSectors <= 0 || descLen <= 0 || descLen > 2048 || descSectors > ch.size() / 512) {
      return refuse(DiskFormat.VMDK, capacity, "its VMDK header has no embedded descriptor");
    }
    String desc =
        new String(
            bytes(read(ch, descSectors * 512, (int) descLen * 512)), StandardCharsets.ISO_8859_1);
    int nul = desc.indexOf('\0');
    if (nul >= 0) {
      desc = desc.substring(0, nul);
    }
    String type = createType(desc);
    if (!SELF_CONTAINED_VMDK.contains(type)) {
      return refuse(
          DiskFormat.VMDK,
          capacity,
          "its VMDK subformat "
              + type
              + " references other files; only monolithicSparse and streamOptimized are taken");
    }
    Matcher parent = PARENT_CID.matcher(desc);
    if (PARENT_HINT.matcher(desc).find()
        || (parent.find() && !parent.group(1).equalsIgnoreCase("ffffffff"))) {
      return refuse(
          DiskFormat.VMDK,
          capacity,
          "it is a VMDK delta disk with a parent; flatten it first: qemu-img convert -O qcow2"
              + " IMAGE FLAT.qcow2");
    }
    // a sparse VMDK's embedded descriptor names its extent, but QEMU reads the data from the
    // file itself (so a renamed image still names its old file): only the subformat matters
    return new ImageInfo(DiskFormat.VMDK, capacity, null);
  }

  private static String createType(String desc) {
    Matcher m = CREATE_TYPE.matcher(desc);
    return m.find() ? m.group(1) : "(none)";
  }

  /** Formats QEMU knows that kvmop does not take; without this they would pass as raw. */
  private static String otherFormat(String head) {
    if (head.startsWith("conectix")) {
      return "VHD (vpc)";
    }
    if (head.startsWith("vhdxfile")) {
      return "VHDX";
    }
    if (head.startsWith("LUKS\u00ba\u00be")) {
      return "LUKS-encrypted";
    }
    if (head.length() >= 0x44
        && head.charAt(0x40) == 0x7f
        && head.charAt(0x41) == 0x10
        && head.charAt(0x42) == 0xda
        && head.charAt(0x43) == 0xbe) {
      return "VDI (VirtualBox)";
    }
    if (head.startsWith("QEVM")) {
      return "QEMU saved VM state";
    }
    return null;
  }

  private static ImageInfo refuse(DiskFormat f, long size, String why) {
    return new ImageInfo(f, size, why);
  }

  private static ByteBuffer read(FileChannel ch, long offset, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(len);
    while (b.hasRemaining()) {
      int n = ch.read(b, offset + b.position());
      if (n < 0) {
        break;
      }
    }
    b.flip();
    return b;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.limit()];
    b.get(0, out);
    return out;
  }
}
