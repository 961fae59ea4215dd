package io.kvmop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.kvmop.config.OperatorConfig;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.standalone.StandaloneAgent;
import io.kvmop.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ownership is per manifest directory, on the real libvirtd: run and delete on one directory never
 * change or remove what another directory created, even under the same namespace and name.
 */
@org.junit.jupiter.api.Tag("system")
class TwoDirectoriesIT {
  static final String POOL = "kvmopit-dirspool";
  static final Path POOL_PATH = Path.of("/var/lib/kvmop/kvmopit-dirspool");
  static final String SHARED = "kvmop-default-kvmopit-dirs-shared";
  static final String ONLY_A = "kvmop-default-kvmopit-dirs-a";

  @TempDir Path dir;
  JnaLibvirt libvirt;
  OperatorConfig config;

  private static String uri() {
    return System.getProperty("kvmop.it.systemUri", "");
  }

  private static String machine(String name, String memory) {
    return """
        apiVersion: kvmop.io/v1alpha1
        kind: KvmMachine
        metadata: {name: %s}
        spec: {memory: %s, runStrategy: Manual}
        ---
        """
        .formatted(name, memory);
  }

  private void cleanUp() {
    for (String d : new String[] {SHARED, ONLY_A}) {
      Shell.run("virsh", "undefine", d);
    }
    Shell.run("virsh", "pool-destroy", POOL);
    Shell.run("virsh", "pool-undefine", POOL);
    Shell.run("rm", "-rf", POOL_PATH.toString());
  }

  @BeforeEach
  void setUp() {
    assumeFalse(uri().isBlank(), "no real libvirtd");
    cleanUp();
    libvirt = new JnaLibvirt(uri());
    config =
        OperatorConfig.fromCommandLine(
            new String[] {
              "--libvirt-uri", uri(),
              "--storage-pool-name", POOL,
              "--storage-pool-path", POOL_PATH.toString(),
              "--serial-log-dir", dir.resolve("logs").toString()
            },
            Map.of());
  }

  @AfterEach
  void tearDown() {
    if (libvirt != null) {
      libvirt.close();
      cleanUp();
    }
  }

  private StandaloneAgent agent(Path manifests) {
    return io.kvmop.cli.StandaloneAgents.agent(
        config, libvirt, manifests, manifests.resolve(".status"));
  }

  @Test
  void oneDirectoryNeverTouchesWhatAnotherCreated() throws Exception {
    Path a = Files.createDirectories(dir.resolve("a"));
    Path b = Files.createDirectories(dir.resolve("b"));
    Files.writeString(
        a.resolve("m.yaml"),
        machine("kvmopit-dirs-shared", "64Mi") + machine("kvmopit-dirs-a", "64Mi"));
    agent(a).reconcileOnce();
    String sharedUuid = libvirt.domains().findDomain(SHARED).orElseThrow().uuid();
    var before = libvirt.domains().findDomain(SHARED).orElseThrow().config();

    // b declares the same namespace and name with another spec: it is not b's to change
    Files.writeString(b.resolve("m.yaml"), machine("kvmopit-dirs-shared", "96Mi"));
    StandaloneAgent agentB = agent(b);
    agentB.reconcileOnce();
    assertThat(libvirt.domains().findDomain(SHARED).orElseThrow().config()).isEqualTo(before);
    assertThat(Files.readString(b.resolve(".status/KvmMachine/default/kvmopit-dirs-shared.yaml")))
        .contains("NameConflict");

    // b's manifest goes, and b is deleted altogether: a's machines stay as they are
    Files.delete(b.resolve("m.yaml"));
    assertThat(agentB.removeAll()).isTrue();
    assertThat(libvirt.domains().findDomain(SHARED).orElseThrow().uuid()).isEqualTo(sharedUuid);
    assertThat(libvirt.domains().findDomain(ONLY_A)).isPresent();

    // a fresh agent on b (nothing in memory, no manifests) finds nothing of its own to remove
    StandaloneAgent fresh = agent(b);
    fresh.reconcileOnce();
    assertThat(fresh.removeAll()).isTrue();
    assertThat(libvirt.domains().findDomain(SHARED)).isPresent();
    assertThat(libvirt.domains().findDomain(ONLY_A)).isPresent();

    // a's own delete removes a's
    assertThat(agent(a).removeAll()).isTrue();
    assertThat(libvirt.domains().findDomain(SHARED)).isEmpty();
    assertThat(libvirt.domains().findDomain(ONLY_A)).isEmpty();
  }
}
