package io.kvmop.libvirt;

import io.kvmop.libvirt.Operation.Step;
import io.kvmop.libvirt.xml.PoolXml;
import io.kvmop.libvirt.xml.VolumeXml;
import io.kvmop.libvirt.xml.XmlCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/** {@link StoragePort} over libvirt-java, sharing {@link JnaLibvirt}'s connection. */
final class JnaStorage implements StoragePort {
  private static final int BLOCK_RESIZE_BYTES = 1;

  private final LibvirtCalls libvirt;

  JnaStorage(LibvirtCalls libvirt) {
    this.libvirt = libvirt;
  }

  private static boolean is(LibvirtException e, ErrorNumber code) {
    return e.getError() != null && e.getError().getCode() == code;
  }

  @FunctionalInterface
  private interface PoolCall<T> {
    T apply(StoragePool p) throws LibvirtException;
  }

  private <T> T onPool(Step operation, String name, PoolCall<T> action) {
    return libvirt.call(
        operation,
        c -> {
          StoragePool p = c.storagePoolLookupByName(name);
          try {
            return action.apply(p);
          } finally {
            p.free();
          }
        });
  }

  @FunctionalInterface
  private interface VolCall<T> {
    T apply(StorageVol v) throws LibvirtException;
  }

  private <T> T onVolume(Step operation, String pool, String name, VolCall<T> action) {
    return onPool(
        operation,
        pool,
        p -> {
          StorageVol v = p.storageVolLookupByName(name);
          try {
            return action.apply(v);
          } finally {
            v.free();
          }
        });
  }

  @Override
  public Optional<PoolState> findPool(String name) {
    return libvirt.call(
        Operation.LOOK_UP_STORAGE_POOL.on(name),
        c -> {
          StoragePool p;
          try {
            p = c.storagePoolLookupByName(name);
          } catch (LibvirtException e) {
            if (is(e, ErrorNumber.VIR_ERR_NO_STORAGE_POOL)) {
              return Optional.empty();
            }
            throw e;
          }
          try {
            return Optional.of(state(p));
          } catch (LibvirtException e) {
            if (is(e, ErrorNumber.VIR_ERR_NO_STORAGE_POOL)) {
              return Optional.empty();
            }
            throw e;
          } finally {
            p.free();
          }
        });
  }

  private static PoolState state(StoragePool p) throws LibvirtException {
    PoolXml xml = XmlCodec.read(p.getXMLDesc(0), PoolXml.class);
    boolean active = p.isActive() == 1;
    boolean persistent = p.isPersistent() == 1;
    var info = active ? p.getInfo() : null;
    return new PoolState(
        p.getName(),
        p.getUUIDString(),
        xml.type(),
        xml.path(),
        active,
        persistent && p.getAutostart(),
        persistent,
        info == null ? 0 : info.capacity,
        info == null ? 0 : info.available);
  }

  @Override
  public List<PoolState> listPools() {
    return libvirt.call(
        Operation.LIST_STORAGE_POOLS.alone(),
        c -> {
          List<String> names = new ArrayList<>(List.of(c.listStoragePools()));
          names.addAll(List.of(c.listDefinedStoragePools()));
          List<PoolState> result = new ArrayList<>();
          for (String n : names) {
            findPool(n).ifPresent(result::add);
          }
          return result;
        });
  }

  @Override
  public void definePool(PoolXml xml) {
    String text = XmlCodec.write(xml);
    libvirt.call(
        Operation.DEFINE_STORAGE_POOL.on(xml.name()), c -> c.storagePoolDefineXML(text, 0).free());
  }

  @Override
  public void buildPool(String name) {
    onPool(
        Operation.BUILD_STORAGE_POOL.on(name),
        name,
        p -> {
          p.build(0);
          return null;
        });
  }

  @Override
  public void startPool(String name) {
    onPool(
        Operation.START_STORAGE_POOL.on(name),
        name,
        p -> {
          p.create(0);
          return null;
        });
  }

  @Override
  public void setPoolAutostart(String name, boolean autostart) {
    onPool(
        Operation.SET_AUTOSTART_OF_STORAGE_POOL.on(name),
        name,
        p -> {
          p.setAutostart(autostart ? 1 : 0);
          return null;
        });
  }

  @Override
  public void refreshPool(String name) {
    onPool(
        Operation.REFRESH_STORAGE_POOL.on(name),
        name,
        p -> {
          p.refresh(0);
          return null;
        });
  }

  @Override
  public Optional<VolumeState> findVolume(String pool, String name) {
    return onPool(
        Operation.LOOK_UP_VOLUME.as("look up volume " + name + " in pool " + pool),
        pool,
        p -> {
          StorageVol v;
          try {
            v = p.storageVolLookupByName(name);
          } catch (LibvirtException e) {
            if (is(e, ErrorNumber.VIR_ERR_NO_STORAGE_VOL)) {
              return Optional.empty();
            }
            throw e;
          }
          try {
            VolumeXml x = XmlCodec.read(v.getXMLDesc(0), VolumeXml.class);
            return Optional.of(
                new VolumeState(
                    x.name(),
                    v.getPath(),
                    x.format(),
                    x.capacityBytes(),
                    x.allocation() == null ? 0 : x.allocation().bytes(),
                    x.backingPath(),
                    x.backingStore() == null || x.backingStore().format() == null
                        ? null
                        : x.backingStore().format().type()));
          } catch (LibvirtException e) {
            if (is(e, ErrorNumber.VIR_ERR_NO_STORAGE_VOL)) {
              return Optional.empty();
            }
            throw e;
          } finally {
            v.free();
          }
        });
  }

  @Override
  public List<String> listVolumes(String pool) {
    return onPool(
        Operation.LIST_VOLUMES.as("list volumes of pool " + pool),
        pool,
        p -> List.of(p.listVolumes()));
  }

  @Override
  public void createVolume(String pool, VolumeXml xml) {
    String text = XmlCodec.write(xml);
    onPool(
        Operation.CREATE_VOLUME.as("create volume " + xml.name() + " in pool " + pool),
        pool,
        p -> {
          p.storageVolCreateXML(text, 0).free();
          return null;
        });
  }

  @Override
  public void cloneVolume(String pool, VolumeXml xml, String source) {
    String text = XmlCodec.write(xml);
    onVolume(
        Operation.CLONE_VOLUME.as(
            "clone volume " + source + " as " + xml.name() + " in pool " + pool),
        pool,
        source,
        v -> {
          StoragePool p = v.storagePoolLookupByVolume();
          try {
            p.storageVolCreateXMLFrom(text, v, 0).free();
          } finally {
            p.free();
          }
          return null;
        });
  }

  @Override
  public void resizeVolume(String pool, String name, long bytes) {
    onVolume(
        Operation.RESIZE_VOLUME.as("resize volume " + name + " to " + bytes + " bytes"),
        pool,
        name,
        v -> {
          v.resize(bytes, 0);
          return null;
        });
  }

  @Override
  public void deleteVolume(String pool, String name) {
    onVolume(
        Operation.DELETE_VOLUME.as("delete volume " + name + " from pool " + pool),
        pool,
        name,
        v -> {
          v.delete(0);
          return null;
        });
  }

  @Override
  public void resizeDomainDisk(String domain, String target, long bytes) {
    libvirt.onDomain(
        Operation.RESIZE_DISK.as(
            "resize disk " + target + " of domain " + domain + " to " + bytes + " bytes"),
        domain,
        d -> d.blockResize(target, bytes, BLOCK_RESIZE_BYTES));
  }
}
