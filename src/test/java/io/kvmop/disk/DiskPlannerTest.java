package io.kvmop.disk;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.libvirt.VolumeState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiskPlannerTest {
  private static final long GI = 1L << 30;
  private static final String BASE = "/var/lib/kvmop/images/debian.raw";

  private static DesiredDisk overlay(long capacity, boolean sizeGiven) {
    return new DesiredDisk(
        "root",
        "vm-root-1234.qcow2",
        "/p/vm-root-1234.qcow2",
        "qcow2",
        capacity,
        sizeGiven,
        BASE,
        "raw",
        "virtio",
        "vda",
        false);
  }

  private static DesiredDisk blank(String format, long capacity) {
    return new DesiredDisk(
        "data",
        "vm-data-1234.img",
        "/p/vm-data-1234.img",
        format,
        capacity,
        true,
        null,
        null,
        "virtio",
        "vdb",
        false);
  }

  private static VolumeState volume(DesiredDisk d, String format, long capacity, String backing) {
    return new VolumeState(d.volume(), d.path(), format, capacity, 0, backing, "raw");
  }

  @Test
  void missingVolumesAreCreatedAsOverlaysOrBlanks() {
    var plan =
        DiskPlanner.plan("vm", false, List.of(overlay(20 * GI, true), blank("raw", GI)), Map.of());
    assertThat(plan.blocker()).isNull();
    assertThat(plan.actions()).hasSize(2);
    var create = (DiskAction.Create) plan.actions().get(0);
    assertThat(create.xml().backingPath()).isEqualTo(BASE);
    assertThat(create.xml().backingStore().format().type()).isEqualTo("raw");
    assertThat(create.xml().format()).isEqualTo("qcow2");
    assertThat(create.xml().capacityBytes()).isEqualTo(20 * GI);
    assertThat(((DiskAction.Create) plan.actions().get(1)).xml().backingStore()).isNull();
  }

  @Test
  void anUnchangedDiskNeedsNothing() {
    DesiredDisk d = overlay(20 * GI, true);
    assertThat(
            DiskPlanner.plan(
                    "vm", true, List.of(d), Map.of(d.volume(), volume(d, "qcow2", 20 * GI, BASE)))
                .actions())
        .isEmpty();
  }

  @Test
  void growingIsOfflineWhenStoppedAndLiveWhenRunning() {
    DesiredDisk d = overlay(30 * GI, true);
    var observed = Map.of(d.volume(), volume(d, "qcow2", 20 * GI, BASE));
    assertThat(DiskPlanner.plan("vm", false, List.of(d), observed).actions())
        .containsExactly(new DiskAction.Grow("root", d.volume(), 20 * GI, 30 * GI));
    assertThat(DiskPlanner.plan("vm", true, List.of(d), observed).actions())
        .containsExactly(new DiskAction.GrowLive("root", "vm", "vda", 20 * GI, 30 * GI));
  }

  @Test
  void shrinkingIsRefusedAndNothingIsDone() {
    DesiredDisk d = overlay(10 * GI, true);
    var plan =
        DiskPlanner.plan(
            "vm", true, List.of(d), Map.of(d.volume(), volume(d, "qcow2", 20 * GI, BASE)));
    assertThat(plan.actions()).isEmpty();
    assertThat(plan.blocker().reason()).isEqualTo(DiskPlanner.SHRINK_REFUSED);
    assertThat(plan.blocker().message()).contains("spec.size 10Gi", "20Gi", "at least 20Gi");
  }

  @Test
  void anImageLargerThanTheDeclaredSizeIsNoShrink() {
    // size 2Gi on a 4Gi image: the overlay was made 4Gi; an unchanged spec must not read as a
    // shrink
    DesiredDisk d = overlay(4 * GI, true);
    assertThat(
            DiskPlanner.plan(
                    "vm", false, List.of(d), Map.of(d.volume(), volume(d, "qcow2", 4 * GI, BASE)))
                .blocker())
        .isNull();
  }

  @Test
  void anotherBaseOrFormatIsRefusedNotRecreated() {
    DesiredDisk d = overlay(20 * GI, true);
    var rebased =
        DiskPlanner.plan(
            "vm",
            false,
            List.of(d),
            Map.of(d.volume(), volume(d, "qcow2", 20 * GI, "/other.qcow2")));
    assertThat(rebased.actions()).isEmpty();
    assertThat(rebased.blocker().reason()).isEqualTo(DiskPlanner.CHANGE_REFUSED);
    assertThat(rebased.blocker().message()).contains("/other.qcow2", BASE, "new name");
    DesiredDisk b = blank("qcow2", GI);
    var converted =
        DiskPlanner.plan("vm", false, List.of(b), Map.of(b.volume(), volume(b, "raw", GI, null)));
    assertThat(converted.blocker().message()).contains("is raw, spec says qcow2");
  }
}
