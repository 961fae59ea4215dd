package io.kvmop.reconciler;

import static io.kvmop.testing.Shell.must;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.network.LinuxHostNetwork;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.Shell;
import io.kvmop.testing.SystemLeftovers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The operator against the real libvirtd and host (mock API). Runs when the system property
 * kvmop.it.systemUri names a libvirt URI (the build sets qemu:///system; .ci/run starts libvirtd
 * first). Only isolated networks: nothing a test does can reach beyond this machine.
 */
@org.junit.jupiter.api.Tag("system")
@EnableKubernetesMockClient(crud = true)
abstract class SystemItBase {
  static final String PREFIX = SystemLeftovers.PREFIX;
  KubernetesClient client;
  String uri;
  JnaLibvirt libvirt;
  OperatorHarness k8s;

  @BeforeEach
  void startOnTheRealHost() {
    uri = System.getProperty("kvmop.it.systemUri", "");
    assumeFalse(uri.isBlank(), "kvmop.it.systemUri is empty: no real libvirtd to test against");
    libvirt = new JnaLibvirt(uri);
    removeLeftovers();
    k8s = startOperator();
  }

  OperatorHarness startOperator() {
    // this 2-CPU machine runs several one- and two-vCPU tiny guests at once in these tests: the
    // node's admin allows that by overcommitting CPUs (placement otherwise refuses the rest)
    if (client.resources(io.kvmop.api.KvmHost.class).withName("node-a").get() == null) {
      io.kvmop.api.KvmHost h = new io.kvmop.api.KvmHost();
      h.getMetadata().setName("node-a");
      h.setSpec(new io.kvmop.api.KvmHostSpec());
      h.getSpec().cpuAllocationRatio = 8.0;
      client.resource(h).create();
    }
    return new OperatorHarness(client, "node-a", libvirt, new LinuxHostNetwork()).start();
  }

  @AfterEach
  void stopOnTheRealHost() {
    if (k8s != null) {
      k8s.close();
    }
    if (libvirt != null) {
      removeLeftovers();
      libvirt.close();
    }
  }

  /** What earlier runs of these tests left; subclasses add their own host objects. */
  void removeLeftovers() {
    SystemLeftovers.remove(libvirt);
  }

  /**
   * A machine that is as declared is left alone: libvirt reports no lifecycle event (no redefine,
   * no restart) for the domain during a few quiet seconds.
   */
  void assertLeftAlone(String domain) {
    assertNoEvents("event", "--domain", domain, "--event", "lifecycle");
  }

  /** No event of any kind for any domain during a few quiet seconds. */
  void assertNoDomainEvents() {
    assertNoEvents("event", "--all");
  }

  /** Likewise for a network that is as declared: no redefine, no restart. */
  void assertNetworkLeftAlone(String network) {
    assertNoEvents("net-event", "--network", network, "--event", "lifecycle");
  }

  private void assertNoEvents(String... watch) {
    String[] cmd = new String[watch.length + 5];
    cmd[0] = "virsh";
    cmd[1] = "--connect=" + uri;
    System.arraycopy(watch, 0, cmd, 2, watch.length);
    cmd[watch.length + 2] = "--loop";
    cmd[watch.length + 3] = "--timeout";
    cmd[watch.length + 4] = "4";
    org.assertj.core.api.Assertions.assertThat(Shell.runFor(30, cmd).output())
        .as("libvirt events (%s) while nothing changed", String.join(" ", watch))
        .contains("events received: 0");
  }

  String virsh(String... args) {
    String[] cmd = new String[args.length + 2];
    cmd[0] = "virsh";
    cmd[1] = "--connect=" + uri;
    System.arraycopy(args, 0, cmd, 2, args.length);
    return must(cmd);
  }
}
