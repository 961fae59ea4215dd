package io.kvmop.bench;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmHostSpec;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmNetwork;
import io.kvmop.api.RunStrategy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.libvirt.Connect;

/**
 * Chaos during churn, on libvirt's test driver hosted by libvirtd (so that its state outlives the
 * agent): while machines and networks are created, edited and deleted, the agent is killed with
 * SIGKILL at random moments (and started again, as kubelet would), and the API server is made
 * unreachable now and then. After each round the faults stop and the {@link Audit} says how long
 * until exactly what is declared exists; at the end, more kills with nothing changing must restart
 * no running domain.
 */
final class Chaos {
  static final String URI = "test+unix:///default";
  private final Path dir;
  private final Random random = new Random(42);

  Chaos(Path dir) {
    this.dir = dir;
  }

  record Plan(
      int machines,
      int networks,
      int rounds,
      int killsPerRound,
      int outages,
      double outageSeconds) {}

  Map<String, Object> run(Plan plan) throws Exception {
    Path run = Files.createTempDirectory(dir, "chaos-");
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("scenario", "chaos");
    r.put("machines", plan.machines());
    r.put("networks", plan.networks());
    Connect holder = new Connect(URI); // keeps the test driver's state alive between agents
    try (MockApi api = new MockApi(run);
        ApiProxy proxy = new ApiProxy(api.port())) {
      Audit audit = new Audit(api.client, holder);
      audit.removeLeftovers();
      host(api.client);
      Path kubeconfig = api.kubeconfig(run.resolve("kubeconfig-proxy"), proxy.port());
      Fleet fleet = new Fleet(plan.networks(), plan.machines(), Scale.NODE, true);
      Churn churn = new Churn(api.client, fleet, random);
      churn.seed();
      List<Double> converge = new ArrayList<>();
      AtomicInteger kills = new AtomicInteger();
      AtomicInteger restarts = new AtomicInteger();
      Map<String, String> env = new LinkedHashMap<>(Scale.agentEnv(run, URI));
      env.put("KUBECONFIG", kubeconfig.toString());
      Supervisor agent = new Supervisor(run, env, restarts);
      try {
        int outagesLeft = plan.outages();
        for (int round = 0; round < plan.rounds(); round++) {
          AtomicBoolean churning = new AtomicBoolean(true);
          Thread t = new Thread(() -> churn.run(churning), "churn");
          t.start();
          for (int k = 0; k < plan.killsPerRound(); k++) {
            Thread.sleep(500 + random.nextInt(3500));
            agent.kill();
            kills.incrementAndGet();
          }
          if (outagesLeft > 0 && round % Math.max(1, plan.rounds() / plan.outages()) == 0) {
            proxy.cut(true);
            Thread.sleep((long) (plan.outageSeconds() * 1000));
            proxy.cut(false);
            outagesLeft--;
          }
          churning.set(false);
          t.join();
          double s = audit.awaitConverged(agent::ensure, 300);
          converge.add(s);
          System.out.printf(
              "chaos round %d: %d kills so far, converged %.1f s after the faults stopped%n",
              round + 1, kills.get(), s);
        }
        Map<String, Integer> before = audit.runningIds();
        for (int k = 0; k < plan.killsPerRound(); k++) {
          Thread.sleep(500 + random.nextInt(3500));
          agent.kill();
          kills.incrementAndGet();
        }
        audit.awaitConverged(agent::ensure, 300);
        Map<String, Integer> after = audit.runningIds();
        List<String> restarted =
            before.keySet().stream().filter(d -> !before.get(d).equals(after.get(d))).toList();
        if (!restarted.isEmpty()) {
          throw new IllegalStateException(
              "kills with nothing changing restarted running domains: " + restarted);
        }
        r.put("kills", kills.get());
        r.put("apiOutages", plan.outages());
        r.put("apiOutageSeconds", plan.outageSeconds());
        r.put("agentStarts", restarts.get());
        r.put("churnOperations", churn.operations());
        r.put("objectsChecked", audit.checked());
        r.put("runningDomainsUntouchedByKills", before.size());
        r.put("convergeSecondsMax", converge.stream().mapToDouble(d -> d).max().orElse(0));
        r.put(
            "convergeSecondsMedian", converge.stream().sorted().toList().get(converge.size() / 2));
        return r;
      } finally {
        agent.close();
        audit.removeLeftovers();
      }
    } finally {
      holder.close();
    }
  }

  /** The node's KvmHost, with room for the fleet on the test driver's 16 CPUs and 3 GiB. */
  private static void host(KubernetesClient client) {
    KvmHost h = new KvmHost();
    h.setMetadata(new ObjectMetaBuilder().withName(Scale.NODE).build());
    h.setSpec(new KvmHostSpec());
    h.getSpec().cpuAllocationRatio = 64.0;
    h.getSpec().memoryAllocationRatio = 8.0;
    client.resource(h).create();
  }

  /** Creates, edits and deletes machines (and networks no machine uses) while told to. */
  static final class Churn {
    private final KubernetesClient client;
    private final Fleet fleet;
    private final Random random;
    private final AtomicInteger operations = new AtomicInteger();
    private int extraNetworks;

    Churn(KubernetesClient client, Fleet fleet, Random random) {
      this.client = client;
      this.fleet = fleet;
      this.random = random;
    }

    int operations() {
      return operations.get();
    }

    void seed() {
      fleet.create(client, 8);
    }

    void run(AtomicBoolean go) {
      while (go.get()) {
        try {
          step();
          operations.incrementAndGet();
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          // a conflict with the agent's writes: the next step goes on
        }
      }
    }

    private void step() {
      int i = random.nextInt(fleet.machines());
      var res = client.resources(KvmMachine.class).inNamespace(Fleet.NS);
      KvmMachine m = res.withName(fleet.machine(i).getMetadata().getName()).get();
      int dice = random.nextInt(10);
      if (m == null) {
        client.resource(fleet.machine(i)).create();
      } else if (dice < 2) {
        client.resource(m).delete();
      } else if (dice < 6) {
        m.getSpec().runStrategy =
            m.getSpec().runStrategyOrDefault() == RunStrategy.Halted
                ? RunStrategy.Always
                : RunStrategy.Halted;
        client.resource(m).update();
      } else if (dice < 9) {
        // 1,000 machines of at most 24Mi fit the 24 GiB the KvmHost below allows
        m.getSpec().memory = "16Mi".equals(m.getSpec().memory) ? "24Mi" : "16Mi";
        client.resource(m).update();
      } else {
        String name = "churn-net-" + (extraNetworks++ % 5);
        KvmNetwork n =
            client.resources(KvmNetwork.class).inNamespace(Fleet.NS).withName(name).get();
        if (n == null) {
          KvmNetwork fresh = fleet.network(0);
          fresh.getMetadata().setName(name);
          fresh.getSpec().ipv4.cidr = "10." + (200 + extraNetworks % 5) + ".0.0/24";
          client.resource(fresh).create();
        } else {
          client.resource(n).delete();
        }
      }
    }
  }

  /** The agent as kubelet keeps it: started again whenever it ends (killed, or exited). */
  static final class Supervisor implements AutoCloseable {
    private final Path run;
    private final Map<String, String> env;
    private final AtomicInteger starts;
    private AgentProcess agent;

    Supervisor(Path run, Map<String, String> env, AtomicInteger starts) {
      this.run = run;
      this.env = new LinkedHashMap<>(env);
      // a restarted container keeps its pod's name: it takes its own lease back at once
      this.env.put("KVMOP_AGENT_ID", "bench-agent");
      this.starts = starts;
      ensure();
    }

    synchronized void ensure() {
      if (agent == null || !agent.alive()) {
        agent = AgentProcess.start(run.resolve("agent.log"), env, "operator");
        starts.incrementAndGet();
      }
    }

    synchronized void kill() throws InterruptedException {
      agent.kill();
      ensure();
    }

    @Override
    public synchronized void close() {
      agent.close();
    }
  }
}
