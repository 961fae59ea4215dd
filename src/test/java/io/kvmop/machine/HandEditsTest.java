package io.kvmop.machine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.DomainState.RunState;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.testing.Fixtures;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * "Changed outside kvmop" only when someone did: a redefinition of what kvmop itself defined last
 * (its stored hash untouched), with the spec observed (disks that finished provisioning, before or
 * after a restart of kvmop), is kvmop's own next step.
 */
class HandEditsTest {
  private final KvmMachine m = Fixtures.machine("default", "web-1", "lab");
  private final MachineNaming naming =
      MachineNaming.of("default", "web-1", m.getMetadata().getUid(), "/var/log/kvmop");
  private final DomainXml before =
      MachineDesign.desired(m, naming, Map.of("eth0", "kvmop-default-lab-1234"), "qemu");

  private DomainXml stored(DomainXml d, boolean recordedByKvmop) {
    DomainXml.Owner o = d.owner();
    DomainXml.Owner mark = recordedByKvmop ? o.withStored(d.storedHash()) : o.withStored("edited");
    return new DomainXml(
        d.type(),
        d.name(),
        d.uuid(),
        new DomainXml.Metadata(mark),
        d.memory(),
        d.currentMemory(),
        d.vcpu(),
        d.os(),
        d.features(),
        d.cpu(),
        d.devices());
  }

  private String redefined(boolean untouched) {
    m.setStatus(new KvmMachineStatus());
    m.getStatus().observedGeneration = m.getMetadata().getGeneration();
    DomainXml now = stored(before, untouched);
    m.getSpec().memory = "2Gi"; // what the pass now declares differs from what is defined
    DomainXml desired =
        MachineDesign.desired(m, naming, Map.of("eth0", "kvmop-default-lab-1234"), "qemu");
    DomainState current =
        new DomainState(
            naming.domainName(), m.getMetadata().getUid(), true, RunState.SHUTOFF, 0, now, null);
    MachinePlan plan =
        new MachinePlan(List.of(new MachineAction.Define(desired)), null, null, false, null);
    return MachineEvents.driftRepaired(m, Optional.of(current), desired, plan);
  }

  @Test
  void kvmopsOwnNextDefinitionIsNoHandEdit() {
    assertThat(redefined(true)).isNull();
  }

  @Test
  void aDefinitionEditedSinceKvmopDefinedItIsOne() {
    assertThat(redefined(false)).contains("was changed outside kvmop");
  }
}
