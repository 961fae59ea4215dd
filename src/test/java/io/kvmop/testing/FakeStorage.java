package io.kvmop.testing;

import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.Operation;
import io.kvmop.libvirt.Operation.Step;
import io.kvmop.libvirt.PoolState;
import io.kvmop.libvirt.StoragePort;
import io.kvmop.libvirt.VolumeState;
import io.kvmop.libvirt.xml.PoolXml;
import io.kvmop.libvirt.xml.VolumeXml;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** In-memory pools and volumes; every call goes through the owning fake's failure switch. */
public final class FakeStorage implements StoragePort {
  private final Map<String, PoolState> pools = new LinkedHashMap<>();
  private final Map<String, Map<String, VolumeState>> volumes = new LinkedHashMap<>();
  private final Consumer<Step> call;

  FakeStorage(Consumer<Step> call) {
    this.call = call;
  }

  private static LibvirtError missing(String op, String code, String what) {
    return new LibvirtError(op, code, "VIR_FROM_STORAGE", what + " not found");
  }

  private PoolState pool(String op, String name) {
    PoolState p = pools.get(name);
    if (p == null) {
      throw missing(op, "VIR_ERR_NO_STORAGE_POOL", "storage pool '" + name + "'");
    }
    return p;
  }

  @Override
  public synchronized Optional<PoolState> findPool(String name) {
    call.accept(Operation.LOOK_UP_STORAGE_POOL.on(name));
    return Optional.ofNullable(pools.get(name));
  }

  @Override
  public synchronized List<PoolState> listPools() {
    call.accept(Operation.LIST_STORAGE_POOLS.alone());
    return List.copyOf(pools.values());
  }

  @Override
  public synchronized void definePool(PoolXml xml) {
    call.accept(Operation.DEFINE_STORAGE_POOL.on(xml.name()));
    PoolState old = pools.get(xml.name());
    pools.put(
        xml.name(),
        new PoolState(
            xml.name(),
            "uuid-" + xml.name(),
            xml.type(),
            xml.path(),
            old != null && old.active(),
            old != null && old.autostart(),
            true,
            0,
            0));
    volumes.computeIfAbsent(xml.name(), n -> new LinkedHashMap<>());
  }

  @Override
  public synchronized void buildPool(String name) {
    call.accept(Operation.BUILD_STORAGE_POOL.on(name));
    pool("build storage pool " + name, name);
  }

  @Override
  public synchronized void startPool(String name) {
    Step op = Operation.START_STORAGE_POOL.on(name);
    call.accept(op);
    PoolState p = pool(op.text(), name);
    pools.put(
        name,
        new PoolState(
            name,
            p.uuid(),
            p.type(),
            p.path(),
            true,
            p.autostart(),
            p.persistent(),
            1L << 40,
            1L << 39));
  }

  /** As virsh pool-destroy does. */
  public synchronized void stopPool(String name) {
    PoolState p = pools.get(name);
    pools.put(
        name,
        new PoolState(
            name, p.uuid(), p.type(), p.path(), false, p.autostart(), p.persistent(), 0, 0));
  }

  @Override
  public synchronized void setPoolAutostart(String name, boolean autostart) {
    Step op = Operation.SET_AUTOSTART_OF_STORAGE_POOL.on(name);
    call.accept(op);
    PoolState p = pool(op.text(), name);
    pools.put(
        name,
        new PoolState(
            name,
            p.uuid(),
            p.type(),
            p.path(),
            p.active(),
            autostart,
            p.persistent(),
            p.capacity(),
            p.available()));
  }

  @Override
  public synchronized void refreshPool(String name) {
    Step op = Operation.REFRESH_STORAGE_POOL.on(name);
    call.accept(op);
    PoolState p = pool(op.text(), name);
    // as libvirt does: every file of the pool's directory becomes a volume
    java.nio.file.Path dir = java.nio.file.Path.of(p.path());
    if (!java.nio.file.Files.isDirectory(dir)) {
      return;
    }
    try (var files = java.nio.file.Files.list(dir)) {
      for (java.nio.file.Path f : files.toList()) {
        String v = f.getFileName().toString();
        if (!volumes.get(name).containsKey(v)) {
          long size = java.nio.file.Files.isRegularFile(f) ? java.nio.file.Files.size(f) : 0;
          volumes.get(name).put(v, new VolumeState(v, f.toString(), "raw", size, size, null, null));
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public synchronized Optional<VolumeState> findVolume(String pool, String name) {
    Step op = Operation.LOOK_UP_VOLUME.as("look up volume " + name + " in pool " + pool);
    call.accept(op);
    pool(op.text(), pool);
    return Optional.ofNullable(volumes.get(pool).get(name));
  }

  @Override
  public synchronized List<String> listVolumes(String pool) {
    Step op = Operation.LIST_VOLUMES.as("list volumes of pool " + pool);
    call.accept(op);
    pool(op.text(), pool);
    return new ArrayList<>(volumes.get(pool).keySet());
  }

  @Override
  public synchronized void createVolume(String pool, VolumeXml xml) {
    Step op = Operation.CREATE_VOLUME.as("create volume " + xml.name() + " in pool " + pool);
    call.accept(op);
    PoolState p = pool(op.text(), pool);
    if (volumes.get(pool).containsKey(xml.name())) {
      throw new LibvirtError(op.text(), "VIR_ERR_STORAGE_VOL_EXIST", "VIR_FROM_STORAGE", "exists");
    }
    volumes
        .get(pool)
        .put(
            xml.name(),
            new VolumeState(
                xml.name(),
                p.path() + "/" + xml.name(),
                xml.format(),
                xml.capacityBytes(),
                0,
                xml.backingPath(),
                xml.backingStore() == null ? null : xml.backingStore().format().type()));
  }

  @Override
  public synchronized void cloneVolume(String pool, VolumeXml xml, String source) {
    Step op =
        Operation.CLONE_VOLUME.as(
            "clone volume " + source + " as " + xml.name() + " in pool " + pool);
    call.accept(op);
    PoolState p = pool(op.text(), pool);
    VolumeState from = volumes.get(pool).get(source);
    if (from == null) {
      throw missing(op.text(), "VIR_ERR_NO_STORAGE_VOL", "storage vol '" + source + "'");
    }
    if (volumes.get(pool).containsKey(xml.name())) {
      throw new LibvirtError(op.text(), "VIR_ERR_STORAGE_VOL_EXIST", "VIR_FROM_STORAGE", "exists");
    }
    // as libvirt's RBD clone: the source's format and size, layered on the source
    volumes.get(pool).put(xml.name(), volume(p, xml.name(), from.format(), from.capacity(), from));
  }

  private static VolumeState volume(
      PoolState p, String name, String format, long capacity, VolumeState parent) {
    return new VolumeState(
        name, p.path() + "/" + name, format, capacity, 0, parent.path(), parent.format());
  }

  @Override
  public synchronized void resizeVolume(String pool, String name, long bytes) {
    Step op = Operation.RESIZE_VOLUME.as("resize volume " + name + " to " + bytes + " bytes");
    call.accept(op);
    pool(op.text(), pool);
    VolumeState v = volumes.get(pool).get(name);
    if (v == null) {
      throw missing(op.text(), "VIR_ERR_NO_STORAGE_VOL", "volume " + name);
    }
    volumes
        .get(pool)
        .put(
            name,
            new VolumeState(
                name,
                v.path(),
                v.format(),
                bytes,
                v.allocation(),
                v.backingPath(),
                v.backingFormat()));
  }

  @Override
  public synchronized void deleteVolume(String pool, String name) {
    Step op = Operation.DELETE_VOLUME.as("delete volume " + name + " from pool " + pool);
    call.accept(op);
    pool(op.text(), pool);
    if (volumes.get(pool).remove(name) == null) {
      throw missing(op.text(), "VIR_ERR_NO_STORAGE_VOL", "volume " + name);
    }
  }

  public final List<String> liveResizes = new ArrayList<>();

  @Override
  public synchronized void resizeDomainDisk(String domain, String target, long bytes) {
    call.accept(
        Operation.RESIZE_DISK.as(
            "resize disk " + target + " of domain " + domain + " to " + bytes + " bytes"));
    liveResizes.add(domain + "/" + target + "=" + bytes);
  }

  /** Volumes of a pool, for assertions. */
  public synchronized Map<String, VolumeState> volumes(String pool) {
    return Map.copyOf(volumes.getOrDefault(pool, Map.of()));
  }
}
