package io.kvmop.bench;

import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kvmop.api.KvmMachine;
import io.kvmop.testing.TestDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.libvirt.Connect;

/**
 * What no agent can beat, measured in the same run: the libvirt calls of a fleet in a plain loop
 * (define, start and autostart each network; define and start each machine) on a fresh test driver,
 * plus one status write per machine from a plain client to the same kind of API (or one status file
 * per machine, for standalone mode).
 */
final class Floor {
  private final Path dir;

  Floor(Path dir) {
    this.dir = dir;
  }

  /** Seconds for the plain libvirt loop. */
  double libvirt(int n) throws Exception {
    Path run = Files.createTempDirectory(dir, "floor-libvirt-");
    Connect c = new Connect(TestDriver.privateUri(run));
    try {
      long t0 = System.nanoTime();
      for (int i = 0; i < Scale.NETWORKS; i++) {
        var net =
            c.networkDefineXML(
                "<network><name>floor-"
                    + i
                    + "</name><bridge name='floorbr"
                    + i
                    + "'/><ip address='10."
                    + (100 + i)
                    + ".0.1' netmask='255.255.0.0'/></network>");
        net.create();
        net.setAutostart(true);
      }
      for (int i = 0; i < n; i++) {
        c.domainDefineXML(
                "<domain type='qemu'><name>floor-vm-"
                    + i
                    + "</name><memory unit='MiB'>16</memory><vcpu>1</vcpu><os><type>hvm</type>"
                    + "</os><devices><interface type='network'><source network='floor-"
                    + (i % Scale.NETWORKS)
                    + "'/></interface></devices></domain>")
            .create();
      }
      return (System.nanoTime() - t0) / 1e9;
    } finally {
      c.close();
    }
  }

  /** Seconds for n status writes (one per machine) from one plain client thread. */
  double statusWrites(int n) throws Exception {
    Path run = Files.createTempDirectory(dir, "floor-api-");
    Fleet fleet = new Fleet(Scale.NETWORKS, n, Scale.NODE, true);
    try (MockApi api = new MockApi(run)) {
      fleet.create(api.client, 8);
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        api.client
            .resources(KvmMachine.class)
            .inNamespace(Fleet.NS)
            .withName(fleet.machine(i).getMetadata().getName())
            .subresource("status")
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"status\":{\"phase\":\"Running\",\"nodeName\":\"" + Scale.NODE + "\"}}");
      }
      return (System.nanoTime() - t0) / 1e9;
    }
  }

  /** Seconds to write n small status files. */
  double statusFiles(int n) throws Exception {
    Path run = Files.createTempDirectory(dir, "floor-files-");
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      Files.writeString(run.resolve("vm-" + i + ".yaml"), "phase: Running\nnodeName: bench\n");
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  Map<String, Object> figures(int n) throws Exception {
    double lv = libvirt(n);
    double api = statusWrites(n);
    double files = statusFiles(n);
    Map<String, Object> r = Scale.row("floor", n, 0, 0);
    r.put("libvirtSeconds", Scale.round(lv));
    r.put("statusWriteSeconds", Scale.round(api));
    r.put("statusFileSeconds", Scale.round(files));
    r.put("operatorFloorSeconds", Scale.round(lv + api));
    r.put("standaloneFloorSeconds", Scale.round(lv + files));
    r.remove("seconds");
    return r;
  }
}
