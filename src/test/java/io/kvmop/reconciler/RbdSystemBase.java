package io.kvmop.reconciler;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.kvmop.api.BootSpec;
import io.kvmop.api.CephKeyRef;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmStoragePool;
import io.kvmop.api.KvmStoragePoolSpec;
import io.kvmop.api.RbdPoolSpec;
import io.kvmop.api.RunStrategy;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.network.LinuxHostNetwork;
import io.kvmop.testing.Fixtures;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.SystemLeftovers;
import io.kvmop.testing.TestCeph;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The system tests of machines on the test Ceph: an agent on node-a that reads Ceph keys from
 * kvmop's namespace, the admin's rbd KvmStoragePool with its key, machines booting the test guest
 * from the pool, and every image, snapshot and libvirt secret they made removed afterwards.
 */
abstract class RbdSystemBase extends SystemItBase {
  static final String KVMOP_NAMESPACE = "kvmop-system";
  static final String STORAGE = SystemLeftovers.PREFIX + "ceph";
  final String foreign = "someone-elses-" + UUID.randomUUID().toString().substring(0, 8);
  TestCeph ceph;
  String secretUuid;

  @Override
  OperatorHarness startOperator() {
    ceph = TestCeph.start();
    if (client.resources(io.kvmop.api.KvmHost.class).withName("node-a").get() == null) {
      io.kvmop.api.KvmHost h = new io.kvmop.api.KvmHost();
      h.getMetadata().setName("node-a");
      h.setSpec(new io.kvmop.api.KvmHostSpec());
      h.getSpec().cpuAllocationRatio = 8.0;
      client.resource(h).create();
    }
    return new OperatorHarness(
            client,
            "node-a",
            libvirt,
            new LinuxHostNetwork(),
            Map.of("KVMOP_LEASE_NAMESPACE", KVMOP_NAMESPACE))
        .start();
  }

  @Override
  void removeLeftovers() {
    super.removeLeftovers();
    if (ceph == null) {
      return;
    }
    removeTestImages(ceph);
    if (secretUuid != null) {
      try {
        libvirt.secrets().undefineSecret(secretUuid);
      } catch (LibvirtError e) {
        // not defined
      }
    }
  }

  /**
   * The system tests' images in the test Ceph: machines' (named after test machines), foreign ones
   * made by the tests, then the bases no clone is left of.
   */
  static void removeTestImages(TestCeph ceph) {
    for (int round = 0; round < 3; round++) { // a clone goes before the image it stands on
      for (String image : ceph.admin("ls", TestCeph.POOL).output().lines().toList()) {
        String name = image.strip();
        if (name.startsWith("kvmop-default-" + SystemLeftovers.PREFIX)
            || name.startsWith("kvmop-other-" + SystemLeftovers.PREFIX)
            || name.startsWith("someone-elses-")) {
          ceph.purgeSnapshots(name);
          ceph.admin("rm", TestCeph.POOL + "/" + name);
        }
      }
    }
    for (String image : ceph.admin("ls", TestCeph.POOL).output().lines().toList()) {
      String name = image.strip();
      if (name.startsWith("kvmop-base-")) {
        ceph.purgeSnapshots(name);
        ceph.admin("rm", TestCeph.POOL + "/" + name);
      }
    }
  }

  KvmStoragePool pool() {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(KVMOP_NAMESPACE)
                .endMetadata()
                .build())
        .createOr(x -> x.update());
    client
        .secrets()
        .inNamespace(KVMOP_NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("ceph-kvmop")
                .endMetadata()
                .withStringData(Map.of("key", ceph.key()))
                .build())
        .create();
    KvmStoragePool p = new KvmStoragePool();
    p.getMetadata().setName(STORAGE);
    p.setSpec(new KvmStoragePoolSpec());
    p.getSpec().type = "rbd";
    p.getSpec().namespaces = List.of("default");
    p.getSpec().rbd = new RbdPoolSpec();
    p.getSpec().rbd.monitors = List.of(TestCeph.MONITOR);
    p.getSpec().rbd.pool = TestCeph.POOL;
    p.getSpec().rbd.user = TestCeph.USER;
    p.getSpec().rbd.secretRef = new CephKeyRef("ceph-kvmop", "key");
    KvmStoragePool made = client.resource(p).create();
    secretUuid =
        UUID.nameUUIDFromBytes(
                ("kvmop-ceph-key:" + made.getMetadata().getUid()).getBytes(StandardCharsets.UTF_8))
            .toString();
    return made;
  }

  KvmMachine machine(String namespace, String name, Path guest, DiskSpec... disks) {
    KvmMachine m = Fixtures.machine(namespace, SystemLeftovers.PREFIX + name);
    m.getMetadata().setUid(null);
    m.getMetadata().setGeneration(null);
    m.getSpec().nodeName = "node-a";
    m.getSpec().memory = "128Mi";
    m.getSpec().shutdownTimeout = "5s";
    m.getSpec().runStrategy = RunStrategy.Always;
    m.getSpec().interfaces = new ArrayList<>();
    m.getSpec().boot = new BootSpec();
    m.getSpec().boot.kernel = guest.resolve("vmlinuz").toString();
    m.getSpec().boot.initrd = guest.resolve("initrd.gz").toString();
    m.getSpec().boot.cmdline = "console=ttyS0";
    m.getSpec().disks = new ArrayList<>(List.of(disks));
    return m;
  }
}
