package io.kvmop.disk;

import io.kvmop.libvirt.LibvirtListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs kvmop's pool as soon as libvirt says it was stopped, undefined or deleted, and after a
 * reconnect (events may have been missed). Its autostart flag raises no event; the KvmHost's
 * periodic check covers that.
 */
public final class PoolWatcher implements LibvirtListener {
  private static final Logger LOG = LoggerFactory.getLogger(PoolWatcher.class);
  private final PoolKeeper keeper;
  private final String pool;

  public PoolWatcher(PoolKeeper keeper, String pool) {
    this.keeper = keeper;
    this.pool = pool;
  }

  @Override
  public void onStoragePoolEvent(String name, String kind) {
    if (pool.equals(name) && (kind.equals("Stopped") || kind.equals("Undefined"))) {
      repair(kind);
    }
  }

  @Override
  public void onReconnect() {
    repair("reconnect");
  }

  private void repair(String why) {
    PoolKeeper.Result r = keeper.ensure();
    r.repairs().forEach(x -> LOG.info("storage pool {} ({}): {}", pool, why, x));
    if (r.blocker() != null) {
      LOG.warn("storage pool {}: {}", pool, r.blocker().message());
    }
  }
}
