package io.kvmop.disk;

import io.kvmop.api.DiskStatus;
import io.kvmop.api.Quantities;
import io.kvmop.libvirt.PoolState;
import io.kvmop.libvirt.StoragePort;
import io.kvmop.libvirt.VolumeState;
import io.kvmop.status.Blocker;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Applies the disk planner's actions to a machine's volumes, and reports the volumes in status. */
final class VolumeChanges {
  private VolumeChanges() {}

  static Happened apply(StoragePort storage, String pool, DiskAction a) {
    if (a instanceof DiskAction.Create c) {
      storage.createVolume(pool, c.xml());
      return new Happened(
          Reasons.VOLUME_CREATED,
          "created volume "
              + c.xml().name()
              + " ("
              + Quantities.human(c.xml().capacityBytes())
              + (c.xml().backingPath() == null ? "" : ", overlay on " + c.xml().backingPath())
              + ") for disk "
              + c.disk());
    }
    if (a instanceof DiskAction.Grow g) {
      storage.resizeVolume(pool, g.volume(), g.to());
      return new Happened(
          Reasons.DISK_GROWN,
          "grew disk "
              + g.disk()
              + " from "
              + Quantities.human(g.from())
              + " to "
              + Quantities.human(g.to()));
    }
    DiskAction.GrowLive g = (DiskAction.GrowLive) a;
    storage.resizeDomainDisk(g.domain(), g.target(), g.to());
    return new Happened(
        Reasons.DISK_GROWN,
        "grew disk "
            + g.disk()
            + " ("
            + g.target()
            + ") of the running machine from "
            + Quantities.human(g.from())
            + " to "
            + Quantities.human(g.to()));
  }

  static List<DiskStatus> status(List<DesiredDisk> desired, Map<String, VolumeState> observed) {
    List<DiskStatus> out = new ArrayList<>();
    for (DesiredDisk d : desired) {
      VolumeState v = observed.get(d.volume());
      if (v == null) {
        continue;
      }
      DiskStatus s = new DiskStatus();
      s.name = d.name();
      s.volume = v.name();
      s.path = v.path();
      s.format = v.format();
      s.capacityBytes = v.capacity();
      s.backingImage = v.backingPath();
      s.target = d.target();
      s.reclaimPolicy = d.retain() ? "Retain" : "Delete";
      out.add(s);
    }
    return out;
  }

  /**
   * A thin volume may be larger than the space free now, but never larger than the whole pool: it
   * could never be filled, and the guest would fail its writes long before.
   */
  static Optional<Blocker> largerThanPool(List<DesiredDisk> desired, PoolState pool) {
    if (pool == null || pool.capacity() <= 0) {
      return Optional.empty();
    }
    for (DesiredDisk d : desired) {
      if (d.capacity() > pool.capacity()) {
        return Optional.of(
            new Blocker(
                Reasons.INVALID_SPEC,
                "spec.disks["
                    + d.name()
                    + "].size "
                    + Quantities.human(d.capacity())
                    + " is larger than the node's whole storage pool "
                    + pool.name()
                    + " ("
                    + Quantities.human(pool.capacity())
                    + "); choose a smaller size"));
      }
    }
    return Optional.empty();
  }
}
