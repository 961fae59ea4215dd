package io.kvmop.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kvmop.api.KvmNetwork;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.libvirt.NetworkState;
import io.kvmop.network.NetworkRealizer;
import io.kvmop.testing.FakeHostNetwork;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.TestDriver;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Operator + Fabric8 mock API (CRUD, CRDs applied) + a private libvirt test-driver host. */
@EnableKubernetesMockClient(crud = true)
abstract class NetworkItBase {
  KubernetesClient client;
  @TempDir Path dir;
  JnaLibvirt libvirt;
  FakeHostNetwork host;
  OperatorHarness k8s;

  /** The host the agent's KVM checks read: this machine's, unless a test makes one up. */
  io.kvmop.host.HostFiles hostFiles() throws java.io.IOException {
    return io.kvmop.host.HostFiles.ofHost();
  }

  /** Tests that must arrange something before the operator sees it override this. */
  boolean startOperator() {
    return true;
  }

  @BeforeEach
  void startNode() throws java.io.IOException {
    libvirt = new JnaLibvirt(TestDriver.privateUri(dir));
    host = new FakeHostNetwork();
    k8s = new OperatorHarness(client, "node-a", libvirt, host, java.util.Map.of(), hostFiles());
    if (startOperator()) {
      k8s.start();
    }
  }

  @AfterEach
  void stopNode() {
    k8s.close();
    libvirt.close();
  }

  Optional<NetworkState> inLibvirt(KvmNetwork n) {
    return libvirt.networks().findNetwork(NetworkRealizer.naming(n).libvirtName());
  }

  String libvirtName(KvmNetwork n) {
    return NetworkRealizer.naming(n).libvirtName();
  }
}
