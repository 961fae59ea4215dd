package io.kvmop.reconciler;

import static io.kvmop.testing.Fixtures.disk;
import static io.kvmop.testing.OperatorHarness.within;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.testing.OperatorHarness;
import io.kvmop.testing.Shell;
import io.kvmop.testing.SystemLeftovers;
import io.kvmop.testing.TestCeph;
import io.kvmop.testing.TestGuest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A tenant's machine on the admin's Ceph RBD pool, through the whole agent against the real Ceph,
 * libvirtd and QEMU: the image imported once as the pool's base, the root disk a copy-on-write
 * clone marked as the machine's, a blank data disk, the real guest booting from the clone and
 * reading the image's bytes, a live grow, another namespace refused, and delete removing only the
 * machine's marked images (the base and an image that is not kvmop's stay).
 */
class SystemStoragePoolIT extends RbdSystemBase {
  @Test
  void aMachineOnRbdBootsFromACloneGrowsLiveAndDeleteRemovesOnlyItsMarkedImages() throws Exception {
    Path guest = TestGuest.build();
    pool();
    assertThat(ceph.admin("create", "--size", "4", TestCeph.POOL + "/" + foreign).ok()).isTrue();

    DiskSpec root = disk("root", SystemDiskIT.rawBase().toString(), "96Mi");
    root.storage = STORAGE;
    DiskSpec data = disk("data", null, "16Mi");
    data.storage = STORAGE;
    long t0 = System.nanoTime();
    k8s.create(machine("default", "rbd", guest, root, data));
    String name = SystemLeftovers.PREFIX + "rbd";
    KvmMachine ready = k8s.awaitMachine(name, "Ready", true, "Running", 240);
    System.out.printf(
        "apply -> Ready with an RBD clone root and a blank RBD disk (real Ceph, real guest): %d"
            + " ms%n",
        (System.nanoTime() - t0) / 1_000_000);

    var rootStatus = SystemDiskIT.diskStatus(ready, "root");
    var dataStatus = SystemDiskIT.diskStatus(ready, "data");
    assertThat(rootStatus.storage).isEqualTo(STORAGE);
    assertThat(rootStatus.path).isEqualTo("rbd:" + TestCeph.POOL + "/" + rootStatus.volume);
    assertThat(rootStatus.format).isEqualTo("raw");
    assertThat(rootStatus.capacityBytes).isEqualTo(96L << 20);
    assertThat(rootStatus.backingImage).startsWith("kvmop-base-");
    assertThat(dataStatus.path).isEqualTo("rbd:" + TestCeph.POOL + "/" + dataStatus.volume);
    assertThat(dataStatus.capacityBytes).isEqualTo(16L << 20);

    String rootInfo = ceph.admin("info", TestCeph.POOL + "/" + rootStatus.volume).output();
    assertThat(rootInfo)
        .as("the root disk is a copy-on-write clone of the pool's base image")
        .contains("parent: " + TestCeph.POOL + "/" + rootStatus.backingImage + "@kvmop");
    assertThat(
            ceph.admin("image-meta", "get", TestCeph.POOL + "/" + rootStatus.volume, "kvmop.uid")
                .output()
                .strip())
        .isEqualTo(ready.getMetadata().getUid());
    assertThat(
            ceph.admin(
                    "image-meta", "get", TestCeph.POOL + "/" + dataStatus.volume, "kvmop.namespace")
                .output()
                .strip())
        .isEqualTo("default");

    String domain = ready.getStatus().domainName;
    String xml = virsh("dumpxml", domain);
    assertThat(xml)
        .contains("protocol='rbd'")
        .contains("name='" + TestCeph.POOL + "/" + rootStatus.volume + "'")
        .contains("<secret type='ceph' uuid='" + secretUuid + "'/>")
        .doesNotContain(ceph.key());
    Path log = Path.of(ready.getStatus().serialLogPath);
    within(120)
        .until(
            () ->
                Files.readString(log, StandardCharsets.ISO_8859_1)
                        .contains("kvmop-guest: disk vda begins: " + SystemDiskIT.MARKER)
                    // the guest reports its disks one after the other: vdb's line comes after vda's
                    && Files.readString(log, StandardCharsets.ISO_8859_1)
                        .contains("kvmop-guest: disk vdb begins:"));
    assertThat(Files.readString(log, StandardCharsets.ISO_8859_1))
        .contains("kvmop-guest: disk vda sectors=" + (96L << 20) / 512)
        .contains("kvmop-guest: disk vdb sectors=" + (16L << 20) / 512);

    // grow the running guest's RBD root disk: through QEMU, no restart
    KvmMachine grow = k8s.machine(name);
    grow.getSpec().disks.get(0).size = "128Mi";
    k8s.updateSpec(grow);
    within(60)
        .until(
            () ->
                virsh("domblkinfo", domain, "vda")
                    .matches("(?s).*Capacity:\\s+" + (128L << 20) + "\\b.*"));
    assertThat(ceph.admin("info", TestCeph.POOL + "/" + rootStatus.volume).output())
        .contains("size 128 MiB");
    assertThat(virsh("domstate", domain).strip()).isEqualTo("running");

    // a third RBD disk attached to the running guest, then detached: no restart
    KvmMachine attach = k8s.machine(name);
    DiskSpec extra = disk("extra", null, "8Mi");
    extra.storage = STORAGE;
    attach.getSpec().disks.add(extra);
    k8s.updateSpec(attach);
    within(60).until(() -> virsh("domblklist", domain).contains("-extra-"));
    io.kvmop.testing.GuestConsole.type(
        name, uri, "echo size-$(cat /sys/block/vdc/size)", "size-" + (8L << 20) / 512);
    KvmMachine detach = k8s.machine(name);
    detach.getSpec().disks.removeIf(d -> d.name.equals("extra"));
    k8s.updateSpec(detach);
    within(60).until(() -> !virsh("domblklist", domain).contains("-extra-"));
    assertThat(virsh("domstate", domain).strip()).isEqualTo("running");
    // its image stays (it may hold data), said once with how to remove it
    within(30)
        .until(
            () ->
                client.v1().events().inNamespace("default").list().getItems().stream()
                    .anyMatch(
                        e ->
                            "VolumeKept".equals(e.getReason())
                                && e.getMessage().contains("-extra-")
                                && e.getMessage().contains("rbd rm " + TestCeph.POOL + "/")));
    assertThat(ceph.admin("ls", TestCeph.POOL).output()).contains("-extra-");

    // another namespace naming the pool: refused, nothing made
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("other").endMetadata().build())
        .createOr(x -> x.update());
    DiskSpec stolen = disk("root", SystemDiskIT.rawBase().toString(), "96Mi");
    stolen.storage = STORAGE;
    k8s.create(machine("other", "thief", guest, stolen));
    KvmMachine refused =
        within(60)
            .until(
                () ->
                    client
                        .resources(KvmMachine.class)
                        .inNamespace("other")
                        .withName(SystemLeftovers.PREFIX + "thief")
                        .get(),
                m ->
                    m != null
                        && OperatorHarness.condition(m, "Provisioned")
                            .map(c -> "StorageNotAllowed".equals(c.getReason()))
                            .orElse(false));
    assertThat(OperatorHarness.condition(refused, "Provisioned").orElseThrow().getMessage())
        .contains("spec.disks[0]", ".storage", STORAGE, "namespace other");
    assertThat(
            Shell.run(
                    "virsh",
                    "--connect=" + uri,
                    "dominfo",
                    "kvmop-other-" + SystemLeftovers.PREFIX + "thief")
                .ok())
        .isFalse();
    assertThat(ceph.admin("ls", TestCeph.POOL).output()).doesNotContain("kvmop-other-");

    // delete: the machine's marked images go; the base and another's image stay
    k8s.delete(k8s.machine(name));
    within(90).until(() -> k8s.machine(name) == null);
    String left = ceph.admin("ls", TestCeph.POOL).output();
    assertThat(left)
        .doesNotContain(rootStatus.volume)
        .doesNotContain(dataStatus.volume)
        .contains(rootStatus.backingImage)
        .contains(foreign);
    assertThat(Shell.run("virsh", "--connect=" + uri, "dominfo", domain).ok()).isFalse();
    k8s.delete(refused);
  }

  @Test
  void aWrongCephKeyIsSaidWithoutTheKeyAndTheMachineStartsOnceTheAdminFixesIt() throws Exception {
    Path guest = TestGuest.build();
    pool();
    String wrong =
        java.util.Base64.getEncoder()
            .encodeToString("not the key, 16b".getBytes(StandardCharsets.US_ASCII));
    client
        .secrets()
        .inNamespace(KVMOP_NAMESPACE)
        .withName("ceph-kvmop")
        .edit(
            x -> new SecretBuilder(x).withData(null).withStringData(Map.of("key", wrong)).build());
    DiskSpec root = disk("root", null, "16Mi");
    root.storage = STORAGE;
    k8s.create(machine("default", "rbdkey", guest, root));
    String name = SystemLeftovers.PREFIX + "rbdkey";
    KvmMachine refused =
        within(120)
            .until(
                () -> k8s.machine(name),
                m ->
                    m != null
                        && OperatorHarness.condition(m, "Provisioned")
                            .map(c -> "StorageUnavailable".equals(c.getReason()))
                            .orElse(false));
    String message = OperatorHarness.condition(refused, "Provisioned").orElseThrow().getMessage();
    System.out.println("a wrong key: " + message);
    assertThat(message)
        .contains("KvmStoragePool " + STORAGE, TestCeph.POOL)
        .doesNotContain(wrong)
        .doesNotContain(ceph.key());
    assertThat(Shell.run("virsh", "--connect=" + uri, "dominfo", "kvmop-default-" + name).ok())
        .as("nothing defined")
        .isFalse();
    assertThat(k8s.operator().liveness()).isNull();

    // the admin puts the right key in the Secret: the machine is made and runs, with no restart
    client
        .secrets()
        .inNamespace(KVMOP_NAMESPACE)
        .withName("ceph-kvmop")
        .edit(
            x ->
                new SecretBuilder(x)
                    .withData(null)
                    .withStringData(Map.of("key", ceph.key()))
                    .build());
    k8s.awaitMachine(name, "Ready", true, "Running", 240);
    k8s.delete(k8s.machine(name));
    within(90).until(() -> k8s.machine(name) == null);
  }
}
