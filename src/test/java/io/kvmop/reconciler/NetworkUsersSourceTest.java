package io.kvmop.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.api.MachineInterface;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NetworkUsersSourceTest {
  static KvmMachine machine(String... networks) {
    KvmMachine m = new KvmMachine();
    m.setMetadata(new ObjectMetaBuilder().withNamespace("team").withName("web").build());
    m.setSpec(new KvmMachineSpec());
    for (int i = 0; i < networks.length; i++) {
      m.getSpec().interfaces.add(new MachineInterface("eth" + i, networks[i]));
    }
    return m;
  }

  @Test
  void aMachineUsesTheNetworksItsInterfacesNameInItsNamespace() {
    assertThat(NetworkUsersSource.networksOf(machine("lab", "storage")))
        .isEqualTo(Set.of(new ResourceID("lab", "team"), new ResourceID("storage", "team")));
    assertThat(NetworkUsersSource.networksOf(machine())).isEmpty();
  }

  @Test
  void onlyAChangeOfNetworksOrADeletionWakesTheNetworks() {
    KvmMachine before = machine("lab");
    KvmMachine statusWritten = machine("lab");
    statusWritten.setStatus(new KvmMachineStatus());
    statusWritten.getStatus().observedGeneration = 3L;
    statusWritten.getMetadata().setResourceVersion("42");
    assertThat(NetworkUsersSource.usersChanged(statusWritten, before)).isFalse();

    assertThat(NetworkUsersSource.usersChanged(machine("storage"), before)).isTrue();
    assertThat(NetworkUsersSource.usersChanged(machine("lab", "storage"), before)).isTrue();

    KvmMachine deleting = machine("lab");
    deleting.getMetadata().setDeletionTimestamp("2026-11-29T10:00:00Z");
    assertThat(NetworkUsersSource.usersChanged(deleting, before)).isTrue();
  }
}
