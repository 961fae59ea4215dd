package io.kvmop.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.libvirt.TypedParameter;
import org.libvirt.TypedUlongParameter;

class JnaMigrationsTest {
  @Test
  void kvmopMigratesLivePeerToPeerWithTheDisksTopLayersAndMovesTheDefinition() {
    int f = JnaMigrations.flags(new MigrationPort.Request("qemu+tls://b/system", null, false, 0));
    assertThat(f & JnaMigrations.VIR_MIGRATE_LIVE).isNotZero();
    assertThat(f & JnaMigrations.VIR_MIGRATE_PEER2PEER).isNotZero();
    assertThat(f & JnaMigrations.VIR_MIGRATE_NON_SHARED_INC).isNotZero();
    assertThat(f & JnaMigrations.VIR_MIGRATE_PERSIST_DEST).isNotZero();
    assertThat(f & JnaMigrations.VIR_MIGRATE_UNDEFINE_SOURCE).isNotZero();
    assertThat(f & JnaMigrations.VIR_MIGRATE_POSTCOPY).isZero();
    assertThat(
            JnaMigrations.flags(new MigrationPort.Request("qemu+tls://b/system", null, true, 0))
                & JnaMigrations.VIR_MIGRATE_POSTCOPY)
        .isNotZero();
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
