package io.kvmop.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.libvirt.JnaLibvirt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots and restores from manifests, standalone, against libvirt's test driver: the snapshot is
 * taken in libvirt with its status file, a restore is done once (also after a restart of kvmop),
 * and a snapshot whose manifest is removed is deleted from libvirt.
 */
class StandaloneSnapshotIT {
  @TempDir Path dir;
  StandaloneAgentIT base = new StandaloneAgentIT();

  static final String SNAPSHOT =
      """
      apiVersion: kvmop.io/v1alpha1
      kind: KvmMachineSnapshot
      metadata: {name: before-upgrade}
      spec: {machine: vm}
      """;
  static final String RESTORE =
      """
      apiVersion: kvmop.io/v1alpha1
      kind: KvmMachineRestore
      metadata: {name: back}
      spec: {machine: vm, snapshot: before-upgrade}
      """;

  @BeforeEach
  void setUp() throws Exception {
    base.dir = dir;
    base.setUp();
  }

  @AfterEach
  void tearDown() {
    base.tearDown();
  }

  JnaLibvirt libvirt() {
    return base.libvirt;
  }

  String status(String kind, String name) throws Exception {
    return Files.readString(base.status.resolve(kind).resolve("default").resolve(name + ".yaml"));
  }

  @Test
  void aSnapshotAndARestoreFromManifests() throws Exception {
    Files.writeString(base.manifests.resolve("vm.yaml"), StandaloneAgentIT.MACHINE);
    Files.writeString(base.manifests.resolve("snap.yaml"), SNAPSHOT);
    var agent = base.agent(Clock.systemUTC());
    assertThat(agent.reconcileOnce().problems()).isEmpty();
    assertThat(status("KvmMachineSnapshot", "before-upgrade"))
        .contains("phase: \"Ready\"", "machineState: \"Running\"");
    String uid =
        StandaloneIds.uid(
            StandaloneIds.scope(base.manifests), "KvmMachineSnapshot", "default", "before-upgrade");
    assertThat(libvirt().snapshots().findSnapshot("kvmop-default-vm", "kvmop-" + uid)).isPresent();

    Files.writeString(base.manifests.resolve("restore.yaml"), RESTORE);
    agent.reconcileOnce();
    assertThat(status("KvmMachineRestore", "back")).contains("phase: \"Succeeded\"");
    String done = status("KvmMachineRestore", "back");
    // a new kvmop process reads that it was done: not done again
    var again = base.agent(Clock.systemUTC());
    again.reconcileOnce();
    assertThat(status("KvmMachineRestore", "back")).isEqualTo(done);

    Files.delete(base.manifests.resolve("snap.yaml"));
    again.reconcileOnce();
    assertThat(libvirt().snapshots().findSnapshot("kvmop-default-vm", "kvmop-" + uid)).isEmpty();
    assertThat(base.status.resolve("KvmMachineSnapshot/default/before-upgrade.yaml"))
        .doesNotExist();
    assertThat(libvirt().domains().findDomain("kvmop-default-vm").orElseThrow().running()).isTrue();
  }
}
