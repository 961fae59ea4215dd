package io.kvmop.bench;

import io.kvmop.testing.TestDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scale on libvirt's test driver: N machines on 10 networks, in operator mode (through the mock
 * API, the agent in its own process) cold and burst, and in standalone mode; each with the memory
 * and CPU the agent used.
 */
final class Scale {
  static final int NETWORKS = 10;
  static final String NODE = "bench-node";
  private final Path dir;

  Scale(Path dir) {
    this.dir = dir;
  }

  /**
   * A test-driver node with room for the fleet (a CPU and 32Mi per machine, plus some), served by
   * libvirtd as the host's hypervisor is: every call a remote procedure call, and the domains'
   * state in the daemon's memory, not in the agent's.
   */
  static String node(Path run, int machines) {
    return TestDriver.hostedUri(run, machines + 16, (machines + 16) * 32L * 1024);
  }

  static Map<String, String> agentEnv(Path run, String libvirtUri) {
    return Map.of(
        "NODE_NAME",
        NODE,
        "KVMOP_LIBVIRT_URI",
        libvirtUri,
        "KVMOP_SERIAL_LOG_DIR",
        run.resolve("serial").toString(),
        "KVMOP_STORAGE_POOL_PATH",
        run.resolve("pool").toString());
  }

  /** Resources exist, then the agent starts. */
  Map<String, Object> operatorCold(int n, double idleSeconds) throws Exception {
    Path run = Files.createTempDirectory(dir, "cold-" + n + "-");
    // idle means converged: Ready, which on the test driver only machines without interfaces reach
    Fleet fleet = new Fleet(NETWORKS, n, NODE, idleSeconds == 0);
    try (MockApi api = new MockApi(run);
        Convergence seen = new Convergence(api.client)) {
      double createSeconds = fleet.create(api.client, 8);
      Map<String, String> env = new LinkedHashMap<>(agentEnv(run, node(run, n)));
      env.put("KUBECONFIG", api.kubeconfig.toString());
      long t0 = System.nanoTime();
      try (AgentProcess agent = AgentProcess.start(run.resolve("agent.log"), env, "operator")) {
        long all = seen.awaitRunning(n, 60 + n / 5);
        Map<String, Object> r =
            row(idleSeconds == 0 ? "operator cold" : "operator idle", n, t0, all);
        r.put("hostReadySeconds", secs(t0, seen.hostReady()));
        r.put("firstRunningSeconds", secs(t0, seen.firstRunning()));
        r.put("createSeconds", createSeconds);
        after(agent, r, idleSeconds);
        r.put("apiRequests", api.requestCounts());
        return r;
      }
    }
  }

  /** The agent runs and is Ready, then the resources are created. */
  Map<String, Object> operatorBurst(int n) throws Exception {
    Path run = Files.createTempDirectory(dir, "burst-" + n + "-");
    Fleet fleet = new Fleet(NETWORKS, n, NODE, true);
    try (MockApi api = new MockApi(run);
        Convergence seen = new Convergence(api.client)) {
      Map<String, String> env = new LinkedHashMap<>(agentEnv(run, node(run, n)));
      env.put("KUBECONFIG", api.kubeconfig.toString());
      try (AgentProcess agent = AgentProcess.start(run.resolve("agent.log"), env, "operator")) {
        seen.awaitHostReady(120);
        long t0 = System.nanoTime();
        double createSeconds = fleet.create(api.client, 8);
        long all = seen.awaitRunning(n, 60 + n / 5);
        Map<String, Object> r = row("operator burst", n, t0, all);
        r.put("createSeconds", createSeconds);
        after(agent, r, 0);
        r.put("apiRequests", api.requestCounts());
        return r;
      }
    }
  }

  /** Manifests on disk, then {@code kvmop run}: until every machine's status file says running. */
  Map<String, Object> standalone(int n) throws Exception {
    Path run = Files.createTempDirectory(dir, "standalone-" + n + "-");
    Path manifests = run.resolve("manifests");
    new Fleet(NETWORKS, n, NODE, true).write(manifests);
    try (StatusFiles seen = new StatusFiles(manifests.resolve(".status/KvmMachine/default"))) {
      long t0 = System.nanoTime();
      try (AgentProcess agent =
          AgentProcess.start(
              run.resolve("agent.log"),
              agentEnv(run, node(run, n)),
              "run",
              "--manifests",
              manifests.toString())) {
        long all = seen.awaitRunning(n, 60 + n / 5);
        Map<String, Object> r = row("standalone", n, t0, all);
        r.put("firstRunningSeconds", secs(t0, seen.firstRunning()));
        after(agent, r, 0);
        return r;
      }
    }
  }

  private static void after(AgentProcess agent, Map<String, Object> r, double idleSeconds)
      throws InterruptedException {
    r.put("cpuSeconds", agent.cpuSeconds());
    r.put("rssMiB", round(agent.rssMiB()));
    r.put("heapAfterGcMiB", round(agent.heapAfterGcMiB()));
    if (idleSeconds > 0) {
      Thread.sleep(5_000); // let the last status writes and events settle
      long calls0 = agent.libvirtCalls();
      double cpu0 = agent.cpuSeconds();
      Thread.sleep((long) (idleSeconds * 1000));
      double minutes = idleSeconds / 60.0;
      r.put("idleLibvirtCallsPerMinute", round((agent.libvirtCalls() - calls0) / minutes));
      r.put("idleCpuSecondsPerMinute", round((agent.cpuSeconds() - cpu0) / minutes));
      r.put("idleRssMiB", round(agent.rssMiB()));
    }
  }

  static Map<String, Object> row(String what, int n, long t0, long t1) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("scenario", what);
    r.put("machines", n);
    r.put("networks", NETWORKS);
    r.put("seconds", secs(t0, t1));
    return r;
  }

  static double secs(long t0, long t1) {
    return t1 == 0 ? -1 : round((t1 - t0) / 1e9);
  }

  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
