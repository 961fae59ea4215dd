package io.kvmop.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.KvmMachine;
import io.kvmop.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which machine updates wake the node's controller. */
class MachineUpdatesTest {
  static final String FINALIZER = "machine.kvmop.io/node-a";

  static KvmMachine with(List<String> finalizers) {
    KvmMachine m = Fixtures.machine("default", "web-1");
    m.getMetadata().setFinalizers(new ArrayList<>(finalizers));
    return m;
  }

  @Test
  void theControllersFinalizerRemovedBySomeoneElseWakesItAndAStatusWriteDoesNot() {
    KvmMachine held = with(List.of(FINALIZER));
    KvmMachine stripped = with(List.of());
    assertThat(MachineUpdates.matter(stripped, held, FINALIZER))
        .as("put back at once: a deletion must still remove the domain")
        .isTrue();
    assertThat(MachineUpdates.matter(held, stripped, FINALIZER)).as("just applied").isTrue();
    assertThat(MachineUpdates.matter(held, with(List.of(FINALIZER)), FINALIZER))
        .as("nothing the controller reads changed")
        .isFalse();
  }
}
