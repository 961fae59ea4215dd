package io.kvmop.cli;

import io.kvmop.config.AgentOptions;
import io.kvmop.config.OperatorConfig;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.standalone.DirectoryLock;
import io.kvmop.standalone.StandaloneAgent;
import io.kvmop.standalone.StandaloneRunner;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** kvmop run: a manifest directory reconciled against this host, no cluster. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Reconcile a manifest directory against this host's libvirt, no cluster needed.")
final class RunCommand implements Callable<Integer> {
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
      StandaloneAgent agent =
          StandaloneAgents.agent(config, policy.toSpec(), libvirt, manifests, dir.status());
      StandaloneRunner runner = new StandaloneRunner(agent, manifests, libvirt);
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
}
