package io.kvmop.cli;

import io.kvmop.config.AgentOptions;
import io.kvmop.config.OperatorConfig;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.metrics.HealthServer;
import io.kvmop.metrics.KvmopMetrics;
import io.kvmop.standalone.DirectoryLock;
import io.kvmop.standalone.StandaloneAgent;
import io.kvmop.standalone.StandaloneRunner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** kvmop run: a manifest directory reconciled against this host, no cluster. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Reconcile a manifest directory against this host's libvirt, no cluster needed.")
final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
  @Mixin AgentOptions options;
  @Mixin ManifestOptions dir;
  @Mixin HostPolicyOptions policy;

  @Option(
      names = "--until-ready",
      arity = "0..1",
      fallbackValue = "300",
      paramLabel = "SECONDS",
      description =
          "Exit once every machine is Ready (0), or after SECONDS (1); default: run until Ctrl-C.")
  Long untilReady;

  @Override
  public Integer call() throws Exception {
    OperatorConfig config = options.toConfig();
    Path manifests = dir.dir();
    try (DirectoryLock lock = DirectoryLock.acquire(dir.status(), manifests, "run");
        JnaLibvirt libvirt = new JnaLibvirt(config.libvirtUri())) {
      KvmopMetrics metrics = new KvmopMetrics();
      libvirt.observe(metrics);
      StandaloneAgent agent =
          StandaloneAgents.agent(
              config,
              policy.toSpec(),
              policy.storagePools(),
              libvirt,
              manifests,
              dir.status(),
              metrics);
      StandaloneRunner runner = new StandaloneRunner(agent, manifests, libvirt);
      try (HealthServer http = serve(config.httpPort(), metrics, libvirt)) {
        return run(agent, runner, manifests);
      }
    }
  }

  /**
   * /metrics, /healthz and /readyz on this host's loopback only (a standalone host has no
   * Prometheus of a cluster to reach it; an SSH tunnel or a local scraper does). A port already
   * taken (another kvmop run) is said, not fatal: the directory is reconciled all the same.
   */
  private static HealthServer serve(int port, KvmopMetrics metrics, JnaLibvirt libvirt) {
    if (port < 0) {
      return null;
    }
    try {
      HealthServer http =
          new HealthServer(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
              metrics::scrape,
              () -> null,
              () -> {
                try {
                  libvirt.host().version();
                  return null;
                } catch (LibvirtError e) {
                  return "libvirt at " + libvirt.uri() + " does not answer: " + e.getMessage();
                }
              });
      LOG.info("/metrics, /healthz and /readyz on http://127.0.0.1:{}", http.port());
      return http;
    } catch (IOException e) {
      LOG.warn(
          "no /metrics, /healthz or /readyz: 127.0.0.1:{} is taken ({}); give this kvmop run"
              + " another --http-port, or -1 for none",
          port,
          e.getMessage());
      return null;
    }
  }

  private Integer run(StandaloneAgent agent, StandaloneRunner runner, Path manifests)
      throws Exception {
    Map<String, String>[] announced = new Map[] {Map.of()};
    boolean ready =
        runner.run(
            () -> {
              Map<String, String> r = agent.readyMachines();
              if (r != null && !r.equals(announced[0])) {
                r.forEach((m, ip) -> System.out.println("machine " + m + " is Ready: " + ip));
                announced[0] = r;
              }
              return untilReady != null && r != null;
            },
            untilReady == null ? null : Instant.now().plusSeconds(untilReady));
    if (!ready) {
      System.err.println(
          "not every machine became Ready in time; see kvmop get --manifests " + manifests);
      return 1;
    }
    return 0;
  }
}
