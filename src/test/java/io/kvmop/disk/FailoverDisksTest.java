package io.kvmop.disk;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.kvmop.api.CephKeyRef;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.FailoverSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmStoragePool;
import io.kvmop.api.KvmStoragePoolSpec;
import io.kvmop.status.Conditions;
import io.kvmop.storage.StorageCatalog;
import io.kvmop.testing.FakeLibvirt;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.Realizers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Restart machine's disk in a directory pool (which the CRD's rules cannot tell from an rbd one)
 * is refused by the agent, before anything is made.
 */
class FailoverDisksTest {
  @TempDir Path dir;

  @Test
  void aRestartMachinesDiskInADirectoryPoolIsRefusedAndNothingIsMade() {
    KvmStoragePool local = new KvmStoragePool();
    local.setMetadata(new ObjectMetaBuilder().withName("local").withUid("uid-local").build());
    local.setSpec(new KvmStoragePoolSpec());
    local.getSpec().type = "directory";
    StorageCatalog pools =
        new StorageCatalog() {
          @Override
          public List<KvmStoragePool> pools() {
            return List.of(local);
          }

          @Override
          public Optional<String> key(CephKeyRef ref) {
            return Optional.empty();
          }
        };
    FakeLibvirt libvirt = new FakeLibvirt();
    var machines = Realizers.hostA(libvirt, dir, pools);
    KvmMachine m = Fixtures.machine("default", "ha");
    m.getSpec().nodeName = null;
    m.getSpec().failover = new FailoverSpec();
    m.getSpec().failover.policy = "Restart";
    DiskSpec root = Fixtures.disk("root", null, "1Gi");
    root.storage = "local";
    m.getSpec().disks = new ArrayList<>(List.of(root));
    libvirt.calls.clear();
    var status = machines.realize(m, List.of()).status();
    var provisioned = Conditions.find(status.conditions, "Provisioned").orElseThrow();
    assertThat(provisioned.getReason()).isEqualTo("InvalidSpec");
    assertThat(provisioned.getMessage())
        .contains("spec.disks[0] (root).storage", "KvmStoragePool local (type directory)", "rbd");
    assertThat(libvirt.domains().listDomainNames()).isEmpty();
    assertThat(libvirt.calls)
        .noneMatch(c -> c.startsWith("create volume") || c.startsWith("define"));

    // marked disposable, the same disk is made there: it is made anew on the next node
    m.getSpec().disks.get(0).disposable = true;
    var made = machines.realize(m, List.of()).status();
    assertThat(Conditions.find(made.conditions, "Provisioned").orElseThrow().getReason())
        .isNotEqualTo("InvalidSpec");
    assertThat(libvirt.calls).anyMatch(c -> c.startsWith("create volume"));
  }
}
