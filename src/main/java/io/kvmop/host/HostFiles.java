package io.kvmop.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a {@link HostSnapshot} from a host's files under {@code root} ("/" on the node, a fixture
 * directory in tests).
 */
public final class HostFiles {
  private final Path root;
  private final String qemuUser;

  public HostFiles(Path root, String qemuUser) {
    this.root = root;
    this.qemuUser = qemuUser;
  }

  public static HostFiles ofHost() {
    return new HostFiles(Path.of("/"), "libvirt-qemu");
  }

  private Path at(String path) {
    return root.resolve(path.substring(1));
  }

  private String read(String path) {
    try {
      return Files.readString(at(path));
    } catch (IOException e) {
      return null;
    }
  }

  /** Everything but libvirt's answer, which {@link HostInspector} adds. */
  public HostSnapshot read() {
    String nested = read("/sys/module/kvm_intel/parameters/nested");
    if (nested == null) {
      nested = read("/sys/module/kvm_amd/parameters/nested");
    }
    return new HostSnapshot(
        read("/proc/cpuinfo"),
        read("/proc/modules"),
        devNode(at("/dev/kvm")),
        Files.exists(at("/dev/vhost-net"), LinkOption.NOFOLLOW_LINKS),
        nested,
        groupsOf(qemuUser, read("/etc/group")),
        "");
  }

  private static HostSnapshot.DevNode devNode(Path p) {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    try {
      PosixFileAttributes a =
          Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      boolean chr =
          Boolean.TRUE.equals(
              Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) instanceof Integer m
                  && (m & 0170000) == 0020000);
      return new HostSnapshot.DevNode(
          chr, a.owner().getName(), a.group().getName(), mode(a.permissions()));
    } catch (IOException | UnsupportedOperationException e) {
      return new HostSnapshot.DevNode(false, "?", "?", 0);
    }
  }

  private static int mode(Set<PosixFilePermission> p) {
    int m = 0;
    for (PosixFilePermission x : p) {
      m |=
          switch (x) {
            case OWNER_READ -> 0400;
            case OWNER_WRITE -> 0200;
            case OWNER_EXECUTE -> 0100;
            case GROUP_READ -> 040;
            case GROUP_WRITE -> 020;
            case GROUP_EXECUTE -> 010;
            case OTHERS_READ -> 04;
            case OTHERS_WRITE -> 02;
            case OTHERS_EXECUTE -> 01;
          };
    }
    return m;
  }

  /** Vendor and product ID of a PCI device, e.g. ("10de", "1eb8"); empty when there is none. */
  public java.util.Optional<String[]> pciDevice(String address) {
    String dir = "/sys/bus/pci/devices/" + address.toLowerCase(java.util.Locale.ROOT);
    String vendor = read(dir + "/vendor");
    String device = read(dir + "/device");
    if (vendor == null || device == null) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        new String[] {
          vendor.strip().replaceFirst("^0x", ""), device.strip().replaceFirst("^0x", "")
        });
  }

  /** The user's supplementary groups from /etc/group, plus a group of the user's own name. */
  static List<String> groupsOf(String user, String etcGroup) {
    List<String> groups = new ArrayList<>();
    if (etcGroup == null) {
      return groups;
    }
    for (String line : etcGroup.split("\n")) {
      String[] f = line.split(":", -1);
      if (f.length < 4) {
        continue;
      }
      if (f[0].equals(user) || List.of(f[3].split(",")).contains(user)) {
        groups.add(f[0]);
      }
    }
    return groups;
  }

  /** Whether {@code program} is an executable file in one of the directories of {@code path}. */
  public static boolean onPath(String program, String path) {
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
