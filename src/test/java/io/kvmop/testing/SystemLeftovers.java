package io.kvmop.testing;

import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.libvirt.xml.NetworkXml;

/**
 * The mock API hands out the same uids in every run, so what earlier runs of the real-libvirtd
 * tests left (marked as ours, for resources named with the test prefix) would collide: removed
 * here, and nothing else.
 */
public final class SystemLeftovers {
  public static final String PREFIX = "kvmopit-";

  /** The storage pool every agent under test uses (OperatorHarness sets it). */
  public static final String POOL = "kvmopit-pool";

  public static final String POOL_PATH = "/var/lib/kvmop/kvmopit-pool";

  private SystemLeftovers() {}

  /**
   * What a standalone test on the real libvirtd left, by virsh: its domain, its networks (by name
   * prefix), its own pool and the pool's directory.
   */
  public static void removeStandalone(
      String domain, String networkPrefix, String pool, java.nio.file.Path poolPath) {
    Shell.run("virsh", "destroy", domain);
    Shell.run("virsh", "undefine", domain, "--nvram", "--snapshots-metadata");
    for (String net : Shell.run("virsh", "net-list", "--all", "--name").output().split("\n")) {
      if (net.strip().startsWith(networkPrefix)) {
        Shell.run("virsh", "net-destroy", net.strip());
        Shell.run("virsh", "net-undefine", net.strip());
      }
    }
    Shell.run("virsh", "pool-destroy", pool);
    Shell.run("virsh", "pool-undefine", pool);
    Shell.run("rm", "-rf", poolPath.toString());
  }

  /** Tunnels of spanning test networks (kvmop's kvx* devices) left on this host by earlier runs. */
  public static void removeTunnels() {
    for (String line :
        Shell.run("ip", "-br", "link", "show", "type", "vxlan").output().split("\n")) {
      String dev = line.strip().split("[\\s@]+")[0];
      if (dev.matches("kvx[0-9a-f]{8}")) {
        Shell.run("ip", "link", "delete", "dev", dev);
      }
    }
  }

  public static void remove(LibvirtPort libvirt) {
    for (String domain :
        Shell.run("virsh", "--connect=" + libvirt.uri(), "list", "--all", "--name")
            .output()
            .split("\n")) {
      String name = domain.strip();
      if (!name.startsWith("kvmop-default-" + PREFIX)) {
        continue;
      }
      libvirt
          .domains()
          .findDomain(name)
          .ifPresent(
              d -> {
                var meta = d.config().metadata();
                if (meta != null
                    && meta.owner() != null
                    && meta.owner().name().startsWith(PREFIX)) {
                  if (d.running()) {
                    libvirt.domains().destroyDomain(name);
                  }
                  libvirt.domains().undefineDomain(name);
                }
              });
    }
    if (libvirt.storage().findPool(POOL).map(p -> p.active()).orElse(false)) {
      for (String v : libvirt.storage().listVolumes(POOL)) {
        if (v.startsWith("kvmop-default-" + PREFIX)) {
          libvirt.storage().deleteVolume(POOL, v);
        }
      }
    }
    for (NetworkState s : libvirt.networks().listNetworks()) {
      NetworkXml.Metadata m = s.config().metadata();
      if (m != null
          && m.owner() != null
          && m.owner().name() != null
          && m.owner().name().startsWith(PREFIX)) {
        if (s.active()) {
          libvirt.networks().stopNetwork(s.name());
        }
        if (s.persistent()) {
          libvirt.networks().undefineNetwork(s.name());
        }
      }
    }
  }
}
