package io.kvmop.disk;

import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.StoragePort;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libvirt's view of kvmop's directory pool: files written into the directory become volumes only
 * when the pool is refreshed, and a run killed between the two leaves a file libvirt does not list.
 */
final class PoolListing {
  private static final Logger LOG = LoggerFactory.getLogger(PoolListing.class);

  private final StoragePort storage;
  private final String pool;
  private final Set<String> listed = ConcurrentHashMap.newKeySet();

  PoolListing(StoragePort storage, String pool) {
    this.storage = storage;
    this.pool = pool;
  }

  /**
   * Makes sure libvirt lists this file of the pool, refreshing the pool when it does not; looked up
   * once per file and process (a failed look-up counts as listed).
   */
  void ensureListed(String name) {
    if (listed.contains(name)) {
      return;
    }
    boolean there;
    try {
      there = storage.findVolume(pool, name).isPresent();
    } catch (LibvirtError e) {
      return;
    }
    if (!there) {
      refresh();
    }
    listed.add(name);
  }

  /** Re-reads the pool's directory; on failure the list catches up on the next refresh. */
  void refresh() {
    try {
      storage.refreshPool(pool);
    } catch (LibvirtError e) {
      LOG.debug("refreshing pool {} failed: {}", pool, e.getMessage());
    }
  }
}
