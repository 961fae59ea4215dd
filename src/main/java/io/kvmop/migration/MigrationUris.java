package io.kvmop.migration;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;

/**
 * Checks a node's migration URI (KVMOP_MIGRATION_URI): a libvirt QEMU URI of the system instance
 * over TLS, SSH, TCP or a local socket, nothing else. Other nodes' libvirtd connect to it, so it is
 * also checked where it is read back (from the KvmHost's status) before any libvirtd is given it.
 */
public final class MigrationUris {
  private MigrationUris() {}

  static final String WANTED =
      "must be qemu+tls://HOST/system (or qemu+ssh://, qemu+tcp://, qemu+unix://)";

  static final Set<String> SCHEMES = Set.of("qemu+tls", "qemu+ssh", "qemu+tcp", "qemu+unix");

  /** Null when {@code uri} is a usable migration URI, else why not. */
  public static String problem(String uri) {
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      return "not a URI (" + e.getReason() + "); " + WANTED;
    }
    if (parsed.getScheme() == null || !SCHEMES.contains(parsed.getScheme())) {
      return WANTED;
    }
    if (!"/system".equals(parsed.getPath())) {
      return "must name libvirt's system instance (path /system)";
    }
    if (uri.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
      return "must not contain spaces or control characters";
    }
    return null;
  }
}
