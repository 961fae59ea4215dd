package io.kvmop.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kvmop.api.KvmMachine;
import io.kvmop.libvirt.DomainEvent;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.DomainState.RunState;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.libvirt.LibvirtListener;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.TestDriver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The libvirt adapter's domain calls against libvirt's test driver. */
class DomainLibvirtIT {
  @TempDir Path dir;
  JnaLibvirt libvirt;
  DomainXml xml;

  @BeforeEach
  void open() {
    libvirt = new JnaLibvirt(TestDriver.privateUri(dir));
    KvmMachine m = Fixtures.machine("default", "web-1");
    m.getSpec().memory = "256Mi";
    MachineNaming n =
        MachineNaming.of("default", "web-1", m.getMetadata().getUid(), dir.toString());
    xml = MachineDesign.desired(m, n, Map.of(), "qemu");
  }

  @AfterEach
  void close() {
    libvirt.close();
  }

  @Test
  void definesStartsStopsAndUndefinesWithStateReasons() {
    List<DomainEvent> events = new CopyOnWriteArrayList<>();
    libvirt.events().addListener(LibvirtListener.domains(events::add));
    libvirt.domains().defineDomain(xml);
    DomainState defined = libvirt.domains().findDomain(xml.name()).orElseThrow();
    assertThat(defined.uuid()).isEqualTo(xml.uuid());
    assertThat(defined.state()).isEqualTo(RunState.SHUTOFF);
    assertThat(MachineDrift.same(defined.config(), xml))
        .as("libvirt reads back what kvmop declares")
        .isTrue();
    assertThat(defined.config().owner().definition()).isEqualTo(xml.definitionHash());
    assertThat(defined.config().owner().stored())
        .as("the hash of the stored form is recorded in the owner mark")
        .isEqualTo(defined.config().storedHash());
    assertThat(MachineDrift.asDeclared(defined.config(), xml)).isTrue();

    libvirt.domains().startDomain(xml.name());
    assertThat(libvirt.domains().findDomain(xml.name()).orElseThrow().running()).isTrue();
    libvirt.domains().destroyDomain(xml.name());
    DomainState destroyed = libvirt.domains().findDomain(xml.name()).orElseThrow();
    assertThat(destroyed.reason()).isEqualTo(DomainState.SHUTOFF_DESTROYED);
    assertThat(destroyed.shutDownByGuest()).isFalse();

    libvirt.domains().startDomain(xml.name());
    libvirt.domains().shutdownDomain(xml.name(), false);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !libvirt.domains().findDomain(xml.name()).orElseThrow().running());
    assertThat(libvirt.domains().findDomain(xml.name()).orElseThrow().shutDownByGuest()).isTrue();

    libvirt.domains().undefineDomain(xml.name());
    assertThat(libvirt.domains().findDomain(xml.name())).isEmpty();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(events)
                    .extracting(DomainEvent::kind)
                    .contains("DEFINED", "STARTED", "STOPPED", "UNDEFINED"));
  }

  @Test
  void hostFactsReportMemoryAndCpus() {
    var facts = libvirt.host().hostFacts("qemu");
    assertThat(facts.memoryKiB()).isPositive();
    assertThat(facts.cpus()).isPositive();
  }
}
