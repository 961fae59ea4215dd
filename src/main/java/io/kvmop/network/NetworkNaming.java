package io.kvmop.network;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names a KvmNetwork gets on a host, derived stably from namespace, name and uid: the same resource
 * always maps to the same libvirt network and bridge, and a recreated resource (new uid) never
 * reuses a leftover.
 */
public record NetworkNaming(String libvirtName, String bridge) {
  /** Longest libvirt name we produce; libvirt stores networks as files named after them. */
  static final int MAX_NAME = 80;

  static final String PREFIX = "kvmop-";

  public static NetworkNaming of(String namespace, String name, String uid) {
    String hash = sha256Hex(namespace + "/" + name + "/" + uid);
    String readable = namespace + "-" + name;
    String suffix = "-" + hash.substring(0, 4);
    int room = MAX_NAME - PREFIX.length() - suffix.length();
    if (readable.length() > room) {
      readable = readable.substring(0, room);
    }
    // Linux limits interface names to 15 characters: "kvm" + 8 hex digits = 11.
    return new NetworkNaming(PREFIX + readable + suffix, "kvm" + hash.substring(0, 8));
  }

  /** True when a libvirt network name looks like one kvmop derives (ownership needs more). */
  public static boolean looksOurs(String libvirtName) {
    return libvirtName.startsWith(PREFIX);
  }

  static String sha256Hex(String s) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always present in the JDK", e);
    }
  }
}
