package io.kvmop.cli;

import io.kvmop.config.AgentOptions;
import io.kvmop.config.OperatorConfig;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.standalone.DirectoryLock;
import io.kvmop.standalone.StandaloneAgent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** kvmop delete: everything standalone kvmop made from a manifest directory, removed. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description = "Remove everything standalone kvmop created from a manifest directory.")
final class DeleteCommand implements Callable<Integer> {
  @Mixin AgentOptions options;
  @Mixin ManifestOptions dir;
  @Mixin HostPolicyOptions policy;

  @Override
  public Integer call() throws Exception {
    OperatorConfig config = options.toConfig();
    Path manifests = dir.dir();
    try (DirectoryLock lock = DirectoryLock.acquire(dir.status(), manifests, "delete");
        JnaLibvirt libvirt = new JnaLibvirt(config.libvirtUri())) {
      StandaloneAgent agent =
          StandaloneAgents.agent(
              config,
              policy.toSpec(),
              policy.storagePools(),
              libvirt,
              manifests,
              dir.status(),
              new io.kvmop.metrics.KvmopMetrics());
      Instant deadline = Instant.now().plusSeconds(300);
      while (Instant.now().isBefore(deadline)) {
        if (agent.removeAll()) {
          java.util.List<String> kept = agent.keptVolumes();
          if (kept.isEmpty()) {
            System.out.println("removed everything kvmop created from " + manifests);
          } else {
            System.out.println(
                "removed everything kvmop created from "
                    + manifests
                    + " but the volumes of disks removed from a spec earlier, kept as they may"
                    + " hold data:");
            kept.forEach(k -> System.out.println("  " + k));
          }
          return 0;
        }
        Thread.sleep(500); // machines are shutting down; nothing raises an event for "gone"
      }
      System.err.println("some machines did not shut down in time; run delete again");
      return 1;
    }
  }
}
