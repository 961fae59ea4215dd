package io.kvmop.disk;

import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtErrors;
import io.kvmop.libvirt.PoolState;
import io.kvmop.libvirt.StoragePort;
import io.kvmop.libvirt.xml.PoolXml;
import io.kvmop.status.Blocker;
import io.kvmop.status.Reasons;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * kvmop's directory pool on this node: defined, built, started and autostarted, and repaired when
 * someone destroys it or turns autostart off. A pool of that name pointing elsewhere, or another
 * pool already on the directory, is somebody else's: reported, never touched.
 */
public final class PoolKeeper {
  public static final String POOL_CONFLICT = Reasons.STORAGE_POOL_CONFLICT;

  private final StoragePort storage;
  private final StorageConfig config;

  public PoolKeeper(StoragePort storage, StorageConfig config) {
    this.storage = storage;
    this.config = config;
  }

  /** What ensuring did: the repairs made, or why the pool cannot be used. */
  public record Result(List<String> repairs, Blocker blocker, PoolState pool) {}

  public Result ensure() {
    List<String> repairs = new ArrayList<>();
    String name = config.poolName();
    try {
      Optional<PoolState> found = storage.findPool(name);
      if (found.isEmpty()) {
        for (PoolState other : storage.listPools()) {
          if (config.poolPath().equals(other.path())) {
            return new Result(
                repairs,
                new Blocker(
                    POOL_CONFLICT,
                    "libvirt storage pool '"
                        + other.name()
                        + "' already uses "
                        + config.poolPath()
                        + ", so kvmop cannot define its pool '"
                        + name
                        + "' there; remove that pool (virsh pool-undefine "
                        + other.name()
                        + ", files stay) or set KVMOP_STORAGE_POOL_PATH to another directory"),
                null);
          }
        }
        storage.definePool(PoolXml.directory(name, config.poolPath()));
        repairs.add("defined storage pool " + name + " at " + config.poolPath());
        found = storage.findPool(name);
      }
      PoolState p = found.orElseThrow();
      if (!"dir".equals(p.type()) || !config.poolPath().equals(p.path())) {
        return new Result(
            repairs,
            new Blocker(
                POOL_CONFLICT,
                "libvirt storage pool '"
                    + name
                    + "' exists as a "
                    + p.type()
                    + " pool at "
                    + p.path()
                    + ", not kvmop's directory pool at "
                    + config.poolPath()
                    + "; kvmop leaves it alone: rename it, or set KVMOP_STORAGE_POOL_NAME"),
            p);
      }
      if (!p.active()) {
        storage.buildPool(name); // creates the directory if someone removed it; harmless if not
        storage.startPool(name);
        repairs.add("started storage pool " + name);
      }
      if (!p.autostart()) {
        storage.setPoolAutostart(name, true);
        repairs.add("set storage pool " + name + " to autostart");
      }
      return new Result(repairs, null, repairs.isEmpty() ? p : storage.findPool(name).orElse(p));
    } catch (LibvirtError e) {
      LibvirtErrors.Explained x = LibvirtErrors.explain(e);
      return new Result(repairs, new Blocker(x.reason(), x.message()), null);
    }
  }
}
