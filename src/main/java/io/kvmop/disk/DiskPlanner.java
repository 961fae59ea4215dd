package io.kvmop.disk;

import io.kvmop.api.Quantities;
import io.kvmop.libvirt.VolumeState;
import io.kvmop.libvirt.xml.VolumeXml;
import io.kvmop.status.Blocker;
import io.kvmop.status.Reasons;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides what to do with a machine's volumes from the declared disks and what the pool holds.
 * Pure. A volume is created once and then only ever grown: kvmop never recreates, shrinks or
 * re-bases a volume that may hold the guest's data; such a change is refused with the way out.
 */
public final class DiskPlanner {
  public static final String SHRINK_REFUSED = Reasons.DISK_SHRINK_REFUSED;
  public static final String CHANGE_REFUSED = Reasons.DISK_CHANGE_REFUSED;

  private DiskPlanner() {}

  public record Plan(List<DiskAction> actions, Blocker blocker) {}

  /**
   * @param observed volumes by name; a disk whose volume is absent is created
   * @param running whether the domain runs (then growing goes through QEMU)
   */
  public static Plan plan(
      String domain, boolean running, List<DesiredDisk> disks, Map<String, VolumeState> observed) {
    List<DiskAction> actions = new ArrayList<>();
    List<String> refusals = new ArrayList<>();
    String reason = null;
    for (DesiredDisk d : disks) {
      VolumeState v = observed.get(d.volume());
      if (v == null) {
        actions.add(create(d));
        continue;
      }
      Optional<Blocker> refused = refusal(d, v);
      if (refused.isPresent()) {
        reason = reason == null ? refused.get().reason() : reason;
        refusals.add(refused.get().message());
      } else if (d.capacity() > v.capacity()) {
        actions.add(
            running
                ? new DiskAction.GrowLive(d.name(), domain, d.target(), v.capacity(), d.capacity())
                : new DiskAction.Grow(d.name(), d.volume(), v.capacity(), d.capacity()));
      }
    }
    if (!refusals.isEmpty()) {
      return new Plan(List.of(), new Blocker(reason, String.join("; ", refusals)));
    }
    return new Plan(List.copyOf(actions), null);
  }

  private static DiskAction create(DesiredDisk d) {
    return new DiskAction.Create(
        d.name(),
        VolumeXml.create(
            d.volume(),
            d.capacity(),
            d.format(),
            d.backingPath() == null
                ? null
                : VolumeXml.backing(d.backingPath(), d.backingFormat())));
  }

  /**
   * Why an existing volume cannot become what the disk now declares (reason, message), if it
   * cannot: kvmop never replaces, converts or shrinks a disk that may hold data.
   */
  private static Optional<Blocker> refusal(DesiredDisk d, VolumeState v) {
    if (!Objects.equals(d.backingPath(), v.backingPath())) {
      return Optional.of(
          new Blocker(
              CHANGE_REFUSED,
              "disk "
                  + d.name()
                  + ": volume "
                  + v.name()
                  + " is "
                  + (v.backingPath() == null
                      ? "a blank volume"
                      : "an overlay on " + v.backingPath())
                  + " but spec now says "
                  + (d.backingPath() == null ? "a blank volume" : "an image at " + d.backingPath())
                  + "; kvmop never replaces a disk that may hold data. Restore the old image, or"
                  + " give the disk a new name (the old volume is then kept, not deleted)"));
    }
    if (v.format() != null && !v.format().equals(d.format())) {
      return Optional.of(
          new Blocker(
              CHANGE_REFUSED,
              "disk "
                  + d.name()
                  + ": volume "
                  + v.name()
                  + " is "
                  + v.format()
                  + ", spec says "
                  + d.format()
                  + "; kvmop does not convert a disk in place. Set format back to "
                  + v.format()
                  + ", or give the disk a new name"));
    }
    if (d.sizeGiven() && d.capacity() < v.capacity()) {
      return Optional.of(
          new Blocker(
              SHRINK_REFUSED,
              "disk "
                  + d.name()
                  + ": spec.size "
                  + Quantities.human(d.capacity())
                  + " is smaller than volume "
                  + v.name()
                  + " ("
                  + Quantities.human(v.capacity())
                  + "); disks are never shrunk, as data past the new end would be lost. Set size"
                  + " to at least "
                  + Quantities.human(v.capacity())));
    }
    return Optional.empty();
  }
}
