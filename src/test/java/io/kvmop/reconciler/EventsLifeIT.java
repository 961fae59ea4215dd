package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.NetworkMode;
import io.kvmop.testing.Fixtures;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The events of a network's and a machine's whole life, as {@code kubectl describe} lists them:
 * created, running, the network's deletion waiting for the machine that uses it, the machine's
 * shutdown and removal, then the network's removal.
 */
class EventsLifeIT extends NetworkItBase {

  private List<String> reasons(HasMetadata r) {
    return client.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> r.getMetadata().getUid().equals(e.getInvolvedObject().getUid()))
        .sorted(Comparator.comparing(Event::getLastTimestamp))
        .map(e -> e.getReason())
        .toList();
  }

  @Test
  void aNetworkAndItsMachineFromCreationToDeletion() {
    KvmNetwork n = k8s.create("lab", Fixtures.spec(NetworkMode.ISOLATED, "10.69.0.0/24"));
    k8s.awaitReady("lab", true, "Active");
    KvmMachine m = k8s.create(Fixtures.machine("default", "web-1", "lab"));
    k8s.awaitMachine("web-1", "Running", true, "Running", 15);

    k8s.delete(n); // waits: web-1 uses it
    within(15).until(() -> reasons(n).contains("InUse"));
    k8s.delete(m);
    within(30).until(() -> k8s.machine("web-1") == null && k8s.get("lab") == null);

    within(10).until(() -> reasons(m).contains("Undefined"));
    List<String> machine = reasons(m);
    assertThat(machine)
        .containsSubsequence("Defined", "Started", "Stopping", "Stopped", "Undefined");
    assertThat(machine).contains("WaitingForIP"); // Ready's change (no DHCP on the test driver)
    assertThat(reasons(n)).containsSubsequence("Active", "InUse");
    Event inUse =
        client.v1().events().inNamespace("default").list().getItems().stream()
            .filter(e -> "InUse".equals(e.getReason()))
            .findFirst()
            .orElseThrow();
    assertThat(inUse.getMessage()).contains("KvmMachine default/web-1");
    assertThat(inUse.getInvolvedObject().getKind()).isEqualTo("KvmNetwork");
    assertThat(inUse.getSource().getHost()).isEqualTo("node-a");
  }
}
