package io.kvmop.disk;

import com.github.stephenc.javaisotools.iso9660.ISO9660File;
import com.github.stephenc.javaisotools.iso9660.ISO9660RootDirectory;
import com.github.stephenc.javaisotools.iso9660.impl.CreateISO;
import com.github.stephenc.javaisotools.iso9660.impl.ISO9660Config;
import com.github.stephenc.javaisotools.iso9660.impl.ISOImageFileHandler;
import com.github.stephenc.javaisotools.joliet.impl.JolietConfig;
import com.github.stephenc.javaisotools.rockridge.impl.RockRidgeConfig;
import com.github.stephenc.javaisotools.sabre.HandlerException;
import com.github.stephenc.javaisotools.sabre.impl.ByteArrayDataReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a NoCloud seed as an ISO 9660 image labelled cidata, with Rock Ridge names (what Linux and
 * cloud-init read: user-data, meta-data) and Joliet, built by java-iso-tools, the same layout
 * genisoimage -J -r -V cidata makes.
 */
public final class SeedIso {
  /** cloud-init looks for this volume label (cidata or CIDATA). */
  public static final String LABEL = "cidata";

  /** A fixed timestamp, so the same seed gives the same file contents. */
  private static final long EPOCH_MILLIS = 946684800000L;

  private SeedIso() {}

  public static void write(Map<String, String> files, Path target) throws IOException {
    try {
      ISO9660RootDirectory root = new ISO9660RootDirectory();
      for (Map.Entry<String, String> f : new TreeMap<>(files).entrySet()) {
        byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
        root.addFile(
            new ISO9660File(new ByteArrayDataReference(content), f.getKey(), EPOCH_MILLIS));
      }
      ISO9660Config iso = new ISO9660Config();
      iso.allowASCII(false);
      iso.setInterchangeLevel(2);
      iso.restrictDirDepthTo8(true);
      iso.setVolumeID(LABEL);
      iso.forceDotDelimiter(true);
      RockRidgeConfig rr = new RockRidgeConfig();
      rr.setMkisofsCompatibility(false);
      rr.hideMovedDirectoriesStore(true);
      rr.forcePortableFilenameCharacterSet(true);
      JolietConfig joliet = new JolietConfig();
      joliet.setVolumeID(LABEL);
      joliet.forceDotDelimiter(true);
      new CreateISO(new ISOImageFileHandler(target.toFile()), root).process(iso, rr, joliet, null);
    } catch (HandlerException | com.github.stephenc.javaisotools.iso9660.ConfigException e) {
      throw new IOException(
          "cannot write the cloud-init seed " + target + ": " + e.getMessage(), e);
    }
  }
}
