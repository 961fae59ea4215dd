package io.kvmop.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.libvirt.xml.DomainDevices;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.libvirt.xml.XmlCodec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.libvirt.TypedParameter;
import org.libvirt.TypedUlongParameter;

class JnaMigrationsTest {
  @Test
  void kvmopMigratesLivePeerToPeerWithTheDisksTopLayersAndMovesTheDefinition() {
    int f =
        JnaMigrations.flags(new MigrationPort.Request("qemu+tls://b/system", null, false, 0), true);
    assertThat(f & JnaMigrations.VIR_MIGRATE_LIVE).isNotZero();
    assertThat(f & JnaMigrations.VIR_MIGRATE_PEER2PEER).isNotZero();
    assertThat(f & JnaMigrations.VIR_MIGRATE_NON_SHARED_INC).isNotZero();
    assertThat(f & JnaMigrations.VIR_MIGRATE_PERSIST_DEST).isNotZero();
    assertThat(f & JnaMigrations.VIR_MIGRATE_UNDEFINE_SOURCE).isNotZero();
    assertThat(f & JnaMigrations.VIR_MIGRATE_POSTCOPY).isZero();
    assertThat(
            JnaMigrations.flags(
                    new MigrationPort.Request("qemu+tls://b/system", null, true, 0), true)
                & JnaMigrations.VIR_MIGRATE_POSTCOPY)
        .isNotZero();
    assertThat(
            JnaMigrations.flags(
                    new MigrationPort.Request("qemu+tls://b/system", null, false, 0), false)
                & JnaMigrations.VIR_MIGRATE_NON_SHARED_INC)
        .as("nothing to copy: no storage migration at all")
        .isZero();
  }

  @Test
  void onlyWritableLocalFilesAreCopiedNeverAnRbdImageOrAReadOnlySeed() {
    var disks =
        List.of(
            DomainDevices.Disk.file(
                "/var/lib/kvmop/pool/a-root.qcow2", "qcow2", "vda", "virtio", false),
            DomainDevices.Disk.rbd(
                "vms",
                "kvmop-default-a-data-1234abcd",
                List.of(new DomainDevices.NetworkHost("10.0.0.1", "6789")),
                "kvmop",
                "0b1c2d3e-0000-4000-8000-000000000001",
                "vdb",
                "virtio"),
            DomainDevices.Disk.file(
                "/var/lib/kvmop/pool/a-seed.iso", "raw", "vdc", "virtio", true));
    var m = io.kvmop.testing.Fixtures.machine("default", "a");
    DomainXml x =
        io.kvmop.machine.MachineDesign.desired(
            m,
            io.kvmop.machine.MachineNaming.of("default", "a", m.getMetadata().getUid(), "/tmp"),
            java.util.Map.of(),
            "qemu",
            disks);
    // as libvirt gives it back
    x = XmlCodec.read(XmlCodec.write(x), DomainXml.class);
    assertThat(JnaMigrations.copiedDisks(x)).containsExactly("vda");
    assertThat(JnaMigrations.copiedDisks(null)).isEmpty();
  }

  @Test
  void theJobsFiguresComeFromLibvirtsTypedParameters() {
    var p =
        JnaMigrations.of(
            new TypedParameter[] {
              new TypedUlongParameter("time_elapsed", 1500),
              new TypedUlongParameter("data_total", 300L << 20),
              new TypedUlongParameter("data_processed", 100L << 20),
              new TypedUlongParameter("data_remaining", 200L << 20),
              new TypedUlongParameter("memory_dirty_rate", 256),
              new TypedUlongParameter("memory_page_size", 4096),
              new TypedUlongParameter("memory_iteration", 3),
              new TypedUlongParameter("downtime", 42)
            });
    assertThat(p)
        .isEqualTo(
            new MigrationPort.JobProgress(
                1500, 300L << 20, 100L << 20, 200L << 20, 1L << 20, 3, 42));
    assertThat(JnaMigrations.of(null).dataTotal()).isZero();
  }
}
