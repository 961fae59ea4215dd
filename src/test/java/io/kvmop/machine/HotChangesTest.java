package io.kvmop.machine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.libvirt.xml.DomainDevices.Disk;
import io.kvmop.libvirt.xml.DomainXml;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which differences a running domain can take live, and in which order. */
class HotChangesTest {
  static final Disk ROOT = Disk.file("/pool/root.qcow2", "qcow2", "vda", "virtio", false);
  static final Disk DATA = Disk.file("/pool/data.qcow2", "qcow2", "vdb", "virtio", false);
  static final Disk SEED_AT_B = Disk.file("/pool/seed-1.iso", "raw", "vdb", "virtio", true);
  static final Disk SEED_AT_C = Disk.file("/pool/seed-1.iso", "raw", "vdc", "virtio", true);

  static DomainXml.Interface nic(String mac, String network) {
    return new DomainXml.Interface(
        "network",
        new DomainXml.InterfaceSource(network),
        new DomainXml.Mac(mac),
        new DomainXml.Model("virtio"));
  }

  static DomainXml domain(
      long kib, long maxKib, int vcpus, int max, List<Disk> disks, List<DomainXml.Interface> nics) {
    return new DomainXml(
        "qemu",
        "d",
        "u",
        null,
        new DomainXml.Memory(maxKib),
        kib == maxKib ? null : new DomainXml.Memory(kib),
        new DomainXml.Vcpu(vcpus, max),
        null,
        null,
        null,
        new DomainXml.Devices(disks, nics, null, null, null, null));
  }

  @Test
  void aDiskAddedBeforeTheSeedMovesTheSeedAndAttachesTheDiskWhereItWas() {
    var live = domain(1024, 2048, 1, 2, List.of(ROOT, SEED_AT_B), List.of());
    var wanted = domain(1024, 2048, 1, 2, List.of(ROOT, DATA, SEED_AT_C), List.of());
    assertThat(HotChanges.between(live, wanted).orElseThrow())
        .containsExactly(
            new HotChanges.DetachDisk(SEED_AT_B),
            new HotChanges.AttachDisk(DATA),
            new HotChanges.AttachDisk(SEED_AT_C));
  }

  @Test
  void aSeedOfNewContentWaitsForTheNextBootWhereCloudInitReadsIt() {
    Disk newSeed = Disk.file("/pool/seed-2.iso", "raw", "vdb", "virtio", true);
    var live = domain(1024, 2048, 1, 2, List.of(ROOT, SEED_AT_B), List.of());
    assertThat(
            HotChanges.between(live, domain(1024, 2048, 1, 2, List.of(ROOT, newSeed), List.of())))
        .isEmpty();
    assertThat(HotChanges.between(live, domain(1024, 2048, 1, 2, List.of(ROOT), List.of())))
        .as("nor is a seed removed live")
        .isEmpty();
  }

  @Test
  void memoryVcpusAndInterfacesByMac() {
    var a = nic("52:54:00:00:00:01", "n1");
    var b = nic("52:54:00:00:00:02", "n2");
    var live = domain(1024, 4096, 1, 4, List.of(ROOT), List.of(a));
    var wanted = domain(3072, 4096, 3, 4, List.of(ROOT), List.of(b));
    assertThat(HotChanges.between(live, wanted).orElseThrow())
        .containsExactly(
            new HotChanges.Memory(1024, 3072),
            new HotChanges.Vcpus(1, 3),
            new HotChanges.DetachInterface(a),
            new HotChanges.AttachInterface(b));
  }

  @Test
  void aWritableDiskReplacedInPlaceANicOnAnotherNetworkOrANewMaximumNeedARestart() {
    var other = Disk.file("/pool/other.qcow2", "qcow2", "vdb", "virtio", false);
    var live = domain(1024, 2048, 1, 2, List.of(ROOT, DATA), List.of());
    assertThat(HotChanges.between(live, domain(1024, 2048, 1, 2, List.of(ROOT, other), List.of())))
        .isEmpty();
    assertThat(HotChanges.between(live, domain(1024, 4096, 1, 2, List.of(ROOT, DATA), List.of())))
        .isEmpty();
    assertThat(HotChanges.between(live, domain(1024, 2048, 1, 4, List.of(ROOT, DATA), List.of())))
        .isEmpty();
    var on1 = domain(1024, 2048, 1, 2, List.of(ROOT), List.of(nic("52:54:00:00:00:01", "n1")));
    var on2 = domain(1024, 2048, 1, 2, List.of(ROOT), List.of(nic("52:54:00:00:00:01", "n2")));
    assertThat(HotChanges.between(on1, on2)).isEmpty();
    assertThat(HotChanges.between(on1, on1).orElseThrow()).isEmpty();
  }
}
