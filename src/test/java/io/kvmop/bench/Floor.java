package io.kvmop.bench;

import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kvmop.api.KvmMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.libvirt.Connect;

/**
 * What no agent can beat, measured in the same run: the libvirt calls of a fleet in a plain loop
 * (define, start and autostart each network; define and start each machine) on a fresh test driver
 * served by libvirtd, plus one status write per machine from a plain program (a fresh JVM with the
 * agent's options, timed from its start) to the same kind of API (or one status file per machine,
 * for standalone mode).
 */
final class Floor {
  private final Path dir;

  Floor(Path dir) {
    this.dir = dir;
  }

  /** Seconds for the plain libvirt loop. */
  double libvirt(int n) throws Exception {
    Path run = Files.createTempDirectory(dir, "floor-libvirt-");
    Connect c = new Connect(Scale.node(run, n)); // served by libvirtd, as the agent's is
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

  /**
   * Seconds for n status writes by {@link FloorWriter} in a fresh JVM with the agent's JVM options,
   * from its start to its exit: what a plain program pays, as the agent does, for a cold JVM.
   */
  double statusWritesFreshJvm(int n) throws Exception {
    Path run = Files.createTempDirectory(dir, "floor-jvm-");
    Fleet fleet = new Fleet(Scale.NETWORKS, n, Scale.NODE, true);
    try (MockApi api = new MockApi(run)) {
      fleet.create(api.client, 8);
      Path names = run.resolve("names.txt");
      java.util.List<String> lines = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        lines.add(fleet.machine(i).getMetadata().getName());
      }
      Files.write(names, lines);
      java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("java"));
      cmd.addAll(AgentProcess.JVM_OPTIONS);
      cmd.addAll(
          java.util.List.of(
              "-cp",
              System.getProperty("java.class.path"),
              FloorWriter.class.getName(),
              api.kubeconfig.toString(),
              Fleet.NS,
              names.toString()));
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(run.resolve("writer.log").toFile());
      pb.environment().putAll(AgentProcess.ENV);
      long t0 = System.nanoTime();
      Process p = pb.start();
      if (!p.waitFor(600, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "the floor's writer failed: " + Files.readString(run.resolve("writer.log")));
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
    double api = statusWritesFreshJvm(n);
    double files = statusFiles(n);
    Map<String, Object> r = Scale.row("floor", n, 0, 0);
    r.put("libvirtSeconds", Scale.round(lv));
    r.put("statusWriteSeconds", Scale.round(api)); // a fresh JVM, start to exit
    if (n <= 1000) { // for comparison: the bench's own, warming client
      r.put("statusWriteWarmClientSeconds", Scale.round(statusWrites(n)));
    }
    r.put("statusFileSeconds", Scale.round(files));
    r.put("operatorFloorSeconds", Scale.round(lv + api));
    r.put("standaloneFloorSeconds", Scale.round(lv + files));
    r.remove("seconds");
    return r;
  }
}
