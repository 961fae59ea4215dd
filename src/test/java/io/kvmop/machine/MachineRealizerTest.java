package io.kvmop.machine;

import static org.assertj.core.api.Assertions.assertThat;

import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.libvirt.Operation;
import io.kvmop.status.Conditions;
import io.kvmop.testing.FakeLibvirt;
import io.kvmop.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The machine pipeline against an in-memory libvirt with switchable failures. */
class MachineRealizerTest {
  @TempDir Path dir;
  FakeLibvirt libvirt = new FakeLibvirt();
  MachineRealizer realizer;
  KvmMachine m = Fixtures.machine("default", "web-1", "lab");
  List<NetworkBinding> lab =
      List.of(NetworkBinding.ready("eth0", "lab", "kvmop-default-lab-1234", true));

  @BeforeEach
  void setUp() throws Exception {
    var noKvm =
        new io.kvmop.host.HostCheck(
            "cpuVirtualizationFlags", false, "no vmx/svm", "enable VT-x", true);
    realizer = realizer(libvirt, () -> java.util.Optional.of(noKvm));
    m.getSpec().nodeName = "host-a";
    m.getSpec().memory = "512Mi";
  }

  /** A realizer on node host-a whose pool is in the test's directory. */
  private MachineRealizer realizer(
      io.kvmop.libvirt.LibvirtPort port, io.kvmop.host.KvmVerdict kvm) {
    var config =
        new io.kvmop.disk.StorageConfig(
            "kvmop", dir.resolve("pool").toString(), Path.of("/"), java.time.Duration.ofHours(1));
    return io.kvmop.node.NodeCore.on("host-a", port)
        .hostNetwork(new io.kvmop.testing.FakeHostNetwork())
        .kvm(kvm)
        .storage(config)
        .serialLogDir(dir.toString())
        .build()
        .machines();
  }

  private KvmMachineStatus reconcile() {
    KvmMachineStatus s = realizer.realize(m, lab).status();
    m.setStatus(s);
    return s;
  }

  @Test
  void aLeaseFromBeforeTheDomainStartedIsNotThisBootsAddress() {
    String mac = realizer.naming(m).macFor("eth0");
    // the previous life of a machine with this MAC: dnsmasq still has its lease
    libvirt.lease("kvmop-default-lab-1234", mac, "10.0.0.9");
    KvmMachineStatus started = reconcile();
    assertThat(
            libvirt.domains().findDomain(realizer.naming(m).domainName()).orElseThrow().running())
        .isTrue();
    assertThat(started.ipAddresses).as("not before the guest asked for one").isEmpty();
    assertThat(reconcile().ipAddresses).isEmpty();
    libvirt.lease("kvmop-default-lab-1234", mac, "10.0.0.7"); // this boot's request
    assertThat(reconcile().ipAddresses).containsExactly("10.0.0.7");
  }

  @Test
  void aStartingMachineIsPolledForItsAddressOnlyAsAGuardWhenLeasesAreWatched() {
    var unmanaged = List.of(NetworkBinding.ready("eth0", "lab", "default", false));
    assertThat(realizer.realize(m, lab).recheckAfter())
        .as("no lease watch: polled while it waits")
        .isEqualTo(java.time.Duration.ofMillis(500));
    realizer.leases().watching(true);
    assertThat(realizer.realize(m, lab).recheckAfter())
        .as("its lease on a kvmop network wakes it")
        .isEqualTo(java.time.Duration.ofSeconds(5));
    assertThat(realizer.realize(m, unmanaged).recheckAfter())
        .as("a libvirt network kvmop does not name may keep its leases elsewhere")
        .isEqualTo(java.time.Duration.ofMillis(500));
    m.getSpec().guestAgent = true;
    assertThat(realizer.realize(m, lab).recheckAfter())
        .as("the guest agent raises no event")
        .isEqualTo(java.time.Duration.ofMillis(500));
  }

  @Test
  void aKnownAddressIsKeptWhileRunningAndGoneWhenStopped() {
    String mac = realizer.naming(m).macFor("eth0");
    reconcile();
    libvirt.lease("kvmop-default-lab-1234", mac, "10.0.0.7");
    assertThat(reconcile().ipAddresses).containsExactly("10.0.0.7");
    libvirt.clearLeases("kvmop-default-lab-1234"); // dnsmasq restarted, lease file rewritten
    KvmMachineStatus again = reconcile();
    assertThat(again.ipAddresses).containsExactly("10.0.0.7");
    assertThat(Conditions.isTrue(again.conditions, "Ready")).isTrue();
    libvirt.domains().destroyDomain(realizer.naming(m).domainName());
    libvirt.fail(Operation.START_DOMAIN, "VIR_ERR_OPERATION_FAILED", "no");
    KvmMachineStatus stopped = reconcile();
    assertThat(stopped.ipAddresses).isEmpty();
  }

  @Test
  void aKernelOrInitrdOutsideTheImageDirectoriesIsRefusedAndNothingIsDefined() {
    m.getSpec().boot = new io.kvmop.api.BootSpec();
    m.getSpec().boot.kernel = "/dev/vda";
    m.getSpec().boot.initrd = "/etc/shadow";
    KvmMachineStatus s = reconcile();
    var ready = Conditions.find(s.conditions, "Ready").orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("BootPathRefused");
    assertThat(ready.getMessage()).startsWith("spec.boot.kernel: /dev/vda is outside");
    assertThat(libvirt.domains().findDomain(realizer.naming(m).domainName())).isEmpty();
  }

  @Test
  void aControlCharacterInTheCommandLineIsRefusedBeforeAnythingIsDefined() {
    m.getSpec().boot = new io.kvmop.api.BootSpec();
    m.getSpec().boot.kernel = "/var/lib/kvmop/images/vmlinuz";
    m.getSpec().boot.cmdline = "console=ttyS0\u0001</cmdline>";
    var ready = Conditions.find(reconcile().conditions, "Ready").orElseThrow();
    assertThat(ready.getReason()).isEqualTo("InvalidSpec");
    assertThat(ready.getMessage()).contains("spec.boot.cmdline", "U+0001");
    assertThat(libvirt.domains().findDomain(realizer.naming(m).domainName())).isEmpty();
  }

  @Test
  void whatTheSchemaRefusesIsRefusedByTheAgentTooWhenNoApiServerChecked() {
    var disk = new io.kvmop.api.DiskSpec();
    disk.name = "root";
    disk.size = "1Gi";
    disk.bus = "ide"; // not in the CRD's pattern; an older CRD or the mock let it through
    m.getSpec().disks = new java.util.ArrayList<>(java.util.List.of(disk));
    var ready = Conditions.find(reconcile().conditions, "Ready").orElseThrow();
    assertThat(ready.getReason()).isEqualTo("InvalidSpec");
    assertThat(ready.getMessage()).contains("spec.disks[0].bus", "^(virtio|sata|scsi)$");
    assertThat(libvirt.domains().findDomain(realizer.naming(m).domainName())).isEmpty();
  }

  @Test
  void aNameLongerThanALabelIsRefusedBeforeAnythingIsDefined() {
    m.getMetadata().setName("a".repeat(300));
    var ready = Conditions.find(reconcile().conditions, "Ready").orElseThrow();
    assertThat(ready.getReason()).isEqualTo("InvalidSpec");
    assertThat(ready.getMessage()).contains("metadata.name is 300 characters long; at most 63");
    assertThat(libvirt.domains().listDomainNames()).isEmpty();
  }

  @Test
  void anUnexpectedExceptionEndsInStatusNotOnlyInTheLog() {
    io.kvmop.libvirt.LibvirtPort broken =
        (io.kvmop.libvirt.LibvirtPort)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {io.kvmop.libvirt.LibvirtPort.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("domains")) {
                    return java.lang.reflect.Proxy.newProxyInstance(
                        getClass().getClassLoader(),
                        new Class<?>[] {io.kvmop.libvirt.DomainPort.class},
                        (p, dm, dargs) -> {
                          if (dm.getName().equals("findDomain")) {
                            throw new IllegalStateException("boom");
                          }
                          try {
                            return dm.invoke(libvirt.domains(), dargs);
                          } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                          }
                        });
                  }
                  try {
                    return method.invoke(libvirt, args);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    var r = realizer(broken, java.util.Optional::empty);
    KvmMachineStatus s = r.realize(m, lab).status();
    var ready = Conditions.find(s.conditions, "Ready").orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("InternalError");
    assertThat(ready.getMessage()).contains("IllegalStateException: boom");
  }

  @Test
  void aLibvirtFailureKeepsItsCodeInTheCondition() {
    libvirt.fail(
        Operation.START_DOMAIN,
        "VIR_ERR_INTERNAL_ERROR",
        "process exited while connecting to monitor");
    KvmMachineStatus s = reconcile();
    var ready = Conditions.find(s.conditions, "Ready").orElseThrow();
    assertThat(ready.getReason()).isEqualTo("LibvirtError");
    assertThat(ready.getMessage())
        .isEqualTo(
            "start domain kvmop-default-web-1 failed (VIR_ERR_INTERNAL_ERROR): process exited while connecting to monitor");
    assertThat(realizer.realize(m, lab).recheckAfter()).isNotNull();
  }

  @Test
  void libvirtUnreachableIsReportedAndLookedAtAgain() {
    libvirt.fail(
        Operation.LOOK_UP_DOMAIN,
        "VIR_ERR_NO_CONNECT",
        "Failed to connect socket to '/run/libvirt/libvirt-sock'");
    var r = realizer.realize(m, lab);
    var ready = Conditions.find(r.status().conditions, "Ready").orElseThrow();
    assertThat(ready.getReason()).isEqualTo("LibvirtUnavailable");
    assertThat(ready.getMessage()).contains("VIR_ERR_NO_CONNECT", "libvirt-sock");
    assertThat(r.recheckAfter()).isNotNull();
  }

  @Test
  void onDeletionTheVolumesGoBeforeTheDefinitionSoAnInterruptionLeaksNothing() throws Exception {
    var withDisks = realizer(libvirt, () -> java.util.Optional.empty());
    var data = new io.kvmop.api.DiskSpec();
    data.name = "data";
    data.size = "16Mi";
    data.format = "qcow2";
    m.getSpec().disks = List.of(data);
    withDisks.realize(m, lab);
    String domain = withDisks.naming(m).domainName();
    assertThat(libvirt.storage.volumes("kvmop")).hasSize(1);
    libvirt.domains().destroyDomain(domain); // shut off: deletion undefines at once

    // the process dies (here: libvirt fails) between deleting the volumes and undefining
    libvirt.fail(Operation.UNDEFINE_DOMAIN, "VIR_ERR_OPERATION_FAILED", "interrupted");
    assertThat(withDisks.remove(m, new java.util.ArrayList<>())).isPresent();
    assertThat(libvirt.storage.volumes("kvmop")).as("volumes first").isEmpty();
    assertThat(libvirt.domains().findDomain(domain))
        .as("the marked domain is still there to be found by the next run")
        .isPresent();

    assertThat(withDisks.remove(m, new java.util.ArrayList<>())).isEmpty();
    assertThat(libvirt.domains().findDomain(domain)).isEmpty();
  }

  @Test
  void aMachineRefusedOrDeletedWhileItsImageDownloadsFreesTheDownload() throws Exception {
    var withDisks = realizer(libvirt, () -> java.util.Optional.empty());
    var spec = new io.kvmop.api.KvmHostSpec();
    spec.imageDownloads = new io.kvmop.api.ImageDownloadSpec();
    spec.imageDownloads.allowedHosts = List.of("127.0.0.1");
    NodePolicy policy = NodePolicy.of(spec);
    var cache = withDisks.disks().cache();
    // 64 MiB, 256 KiB every 200 ms: downloading for almost a minute
    try (var server = new io.kvmop.testing.ImageServer(new byte[64 << 20], 200)) {
      var root = new io.kvmop.api.DiskSpec();
      root.name = "root";
      root.image = new io.kvmop.api.ImageSource();
      root.image.url = server.url();
      root.image.sha256 = server.sha256();
      m.getSpec().disks = List.of(root);
      var first =
          withDisks.realize(m, lab, policy, io.kvmop.disk.DiskProvisioner.Secrets.NONE).status();
      assertThat(Conditions.find(first.conditions, "Ready").orElseThrow().getReason())
          .isEqualTo("Downloading");
      int started = cache.downloadsStarted();

      // refused (a kernel outside the image directories): it holds no download any more
      m.getSpec().boot = new io.kvmop.api.BootSpec();
      m.getSpec().boot.kernel = "/etc/shadow";
      withDisks.realize(m, lab, policy, io.kvmop.disk.DiskProvisioner.Secrets.NONE);
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(5))
          .until(
              () -> {
                cache.get(server.url(), server.sha256(), "other", policy.downloads());
                return cache.downloadsStarted() > started;
              });

      // wanted again, then deleted: freed again
      m.getSpec().boot = null;
      withDisks.realize(m, lab, policy, io.kvmop.disk.DiskProvisioner.Secrets.NONE);
      int again = cache.downloadsStarted();
      assertThat(withDisks.remove(m, new java.util.ArrayList<>())).isEmpty();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(5))
          .until(
              () -> {
                cache.get(server.url(), server.sha256(), "other", policy.downloads());
                return cache.downloadsStarted() > again;
              });
    }
  }

  @Test
  void reconcilingAgainDoesNothing() {
    libvirt.lease("kvmop-default-lab-1234", realizer.naming(m).macFor("eth0"), "10.0.0.7");
    reconcile();
    libvirt.calls.clear();
    reconcile();
    assertThat(libvirt.calls)
        .noneMatch(c -> c.startsWith("define") || c.startsWith("start") || c.startsWith("destroy"));
  }
}
