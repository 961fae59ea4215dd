package io.kvmop.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads an ISO 9660 image back the way Linux does: the primary volume's label, and the root
 * directory's files under their Rock Ridge names. Test-only; independent of the writer library.
 */
record IsoFiles(String label, Map<String, String> files) {
  static IsoFiles read(Path iso) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(iso)).order(ByteOrder.LITTLE_ENDIAN);
    int pvd = 16 * 2048;
    if (b.get(pvd) != 1 || !ascii(b, pvd + 1, 5).equals("CD001")) {
      throw new IOException("no primary volume descriptor");
    }
    String label = ascii(b, pvd + 40, 32).trim();
    int root = pvd + 156;
    int rootLba = b.getInt(root + 2);
    int rootLen = b.getInt(root + 10);
    Map<String, String> files = new LinkedHashMap<>();
    int pos = rootLba * 2048;
    int end = pos + rootLen;
    while (pos < end) {
      int len = Byte.toUnsignedInt(b.get(pos));
      if (len == 0) {
        pos = (pos / 2048 + 1) * 2048; // records never cross a sector; the rest is padding
        continue;
      }
      int flags = b.get(pos + 25);
      int nameLen = Byte.toUnsignedInt(b.get(pos + 32));
      boolean dotOrDotDot = nameLen == 1 && (b.get(pos + 33) == 0 || b.get(pos + 33) == 1);
      if (!dotOrDotDot && (flags & 2) == 0) {
        String name =
            rockRidgeName(b, pos + 33 + nameLen + ((nameLen % 2 == 0) ? 1 : 0), pos + len);
        if (name == null) {
          name = ascii(b, pos + 33, nameLen);
        }
        int lba = b.getInt(pos + 2);
        int size = b.getInt(pos + 10);
        byte[] data = new byte[size];
        b.get(lba * 2048, data);
        files.put(name, new String(data, StandardCharsets.UTF_8));
      }
      pos += len;
    }
    return new IsoFiles(label, files);
  }

  private static String rockRidgeName(ByteBuffer b, int from, int to) {
    int p = from;
    StringBuilder name = null;
    while (p + 4 <= to) {
      String sig = ascii(b, p, 2);
      int len = Byte.toUnsignedInt(b.get(p + 2));
      if (len < 4) {
        break;
      }
      if (sig.equals("NM")) {
        if (name == null) {
          name = new StringBuilder();
        }
        name.append(ascii(b, p + 5, len - 5));
      }
      p += len;
    }
    return name == null ? null : name.toString();
  }

  private static String ascii(ByteBuffer b, int at, int len) {
    byte[] out = new byte[len];
    b.get(at, out);
    return new String(out, StandardCharsets.ISO_8859_1);
  }
}
