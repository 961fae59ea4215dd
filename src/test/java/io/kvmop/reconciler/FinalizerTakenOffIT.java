package io.kvmop.reconciler;

import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.SystemLeftovers;
import io.kvmop.testing.UserEdits;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A deletion whose node finalizer someone takes off (what people do when a deletion hangs) still
 * removes the domain, on the node that has it: at once while its agent runs, with the machine's
 * reclaimPolicy; at the agent's next start when it was down, keeping the volumes.
 */
class FinalizerTakenOffIT extends NetworkItBase {
  static final String DOMAIN = "kvmop-default-vm";

  KvmMachine vm() {
    KvmMachine m = Fixtures.machine("default", "vm");
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-a";
    m.getSpec().memory = "256Mi";
    m.getSpec().shutdownTimeout = "2s";
    m.getSpec().disks = List.of(disk("scratch", "Delete"), disk("keep", "Retain"));
    return m;
  }

  static DiskSpec disk(String name, String policy) {
    DiskSpec d = new DiskSpec();
    d.name = name;
    d.size = "16Mi";
    d.format = "raw";
    d.reclaimPolicy = policy;
    return d;
  }

  List<String> volumes() {
    return libvirt.storage().listVolumes(SystemLeftovers.POOL).stream()
        .filter(v -> v.startsWith(DOMAIN + "-"))
        .toList();
  }

  /** Whether an event says the domain was undefined. */
  boolean undefined() {
    return client.v1().events().inNamespace("default").list().getItems().stream()
        .anyMatch(
            e -> "vm".equals(e.getInvolvedObject().getName()) && "Undefined".equals(e.getReason()));
  }

  void takeFinalizersOff() {
    UserEdits.edit(
        client.resources(KvmMachine.class).inNamespace("default").withName("vm"),
        m -> {
          m.getMetadata().setFinalizers(new java.util.ArrayList<>());
          return m;
        });
  }

  @Test
  void takenOffWhileTheAgentRunsTheDomainAndTheDeleteVolumesStillGo() {
    k8s.create(vm());
    k8s.awaitMachine("vm", "Ready", true, "Running", 30);
    assertThat(volumes()).hasSize(2);
    // as `kubectl patch --type=merge -p '{"metadata":{"finalizers":null}}'` then `kubectl delete`,
    // faster than the agent puts its finalizer back
    takeFinalizersOff();
    client.resources(KvmMachine.class).inNamespace("default").withName("vm").delete();
    within(10).until(() -> k8s.machine("vm") == null);
    within(20).until(() -> libvirt.domains().findDomain(DOMAIN).isEmpty());
    within(10).until(() -> volumes().size() == 1);
    assertThat(volumes()).singleElement().asString().startsWith(DOMAIN + "-keep-");
  }

  @Test
  void takenOffWhileTheAgentWasDownTheDomainGoesAtItsNextStartAndTheVolumesStay()
      throws java.io.IOException {
    k8s.create(vm());
    k8s.awaitMachine("vm", "Ready", true, "Running", 30);
    // another machine that stays, and a marked domain whose machine's label moved to a node with
    // no agent: neither is touched
    KvmMachine other = vm();
    other.getMetadata().setName("other");
    other.getSpec().disks = List.of();
    k8s.create(other);
    k8s.awaitMachine("other", "Ready", true, "Running", 30);
    k8s.close();

    client.resources(KvmMachine.class).inNamespace("default").withName("vm").delete();
    takeFinalizersOff();
    within(10).until(() -> k8s.machine("vm") == null);

    // the test driver's guests ignore the power button: the domain would be destroyed only after
    // the 90 s a machine without a spec gets to shut down; this one is already off
    libvirt.domains().destroyDomain(DOMAIN);
    k8s = new OperatorHarness(client, "node-a", libvirt, host, java.util.Map.of(), hostFiles());
    k8s.start();
    within(30).until(() -> libvirt.domains().findDomain(DOMAIN).isEmpty());
    assertThat(volumes()).as("its reclaimPolicy went with the object: kept").hasSize(2);
    assertThat(libvirt.domains().findDomain("kvmop-default-other")).get().matches(d -> d.running());
    assertThat(k8s.machine("other").getStatus().phase.toString()).isEqualTo("Running");
    for (String v : volumes()) {
      libvirt.storage().deleteVolume(SystemLeftovers.POOL, v);
    }
  }

  @Test
  void aLabelMovedAwayIsNoDeletion() throws java.io.IOException {
    k8s.create(vm());
    k8s.awaitMachine("vm", "Ready", true, "Running", 30);
    k8s.close();
    // moved while the agent is down, to a node no agent runs: at start this agent's controller
    // does not see it, and its domain is not a leftover
    UserEdits.edit(
        client.resources(KvmMachine.class).inNamespace("default").withName("vm"),
        m -> {
          m.getMetadata().getLabels().put("kvmop.io/node", "node-nowhere");
          return m;
        });
    // off, so that a removal would be at once (the test driver's guests ignore the power button)
    libvirt.domains().destroyDomain(DOMAIN);
    k8s = new OperatorHarness(client, "node-a", libvirt, host, java.util.Map.of(), hostFiles());
    k8s.start();
    within(20)
        .until(
            () ->
                "node-a".equals(k8s.machine("vm").getMetadata().getLabels().get("kvmop.io/node")));
    k8s.awaitMachine("vm", "Ready", true, "Running", 30);
    assertThat(undefined()).as("its domain was never taken for a leftover").isFalse();
    assertThat(volumes()).hasSize(2);
    k8s.delete(k8s.machine("vm"));
    within(20).until(() -> k8s.machine("vm") == null);
    assertThat(libvirt.domains().findDomain(DOMAIN)).isEmpty();
    assertThat(volumes()).singleElement().asString().startsWith(DOMAIN + "-keep-");
    libvirt.storage().deleteVolume(SystemLeftovers.POOL, volumes().get(0));
  }
}
