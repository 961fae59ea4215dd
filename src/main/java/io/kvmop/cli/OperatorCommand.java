package io.kvmop.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kvmop.agent.KvmopOperator;
import io.kvmop.config.AgentOptions;
import io.kvmop.config.OperatorConfig;
import io.kvmop.host.HostFiles;
import io.kvmop.libvirt.JnaLibvirt;
import io.kvmop.network.LinuxHostNetwork;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** kvmop operator: the node agent, against the cluster. */
@Command(
    name = "operator",
    mixinStandardHelpOptions = true,
    description = "Run the node agent against the cluster (kubeconfig or in-cluster config).",
    footer = {
      "",
      "Every flag --some-flag is also the environment variable KVMOP_SOME_FLAG"
          + " (--node-name: NODE_NAME); a flag wins over its variable."
    })
final class OperatorCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorCommand.class);

  @Mixin AgentOptions options;

  @Override
  public Integer call() throws InterruptedException {
    OperatorConfig config = options.toConfig();
    KubernetesClient client = new KubernetesClientBuilder().build();
    JnaLibvirt libvirt = new JnaLibvirt(config.libvirtUri());
    KvmopOperator operator =
        new KvmopOperator(
            config,
            client,
            libvirt,
            new LinuxHostNetwork(),
            new HostFiles(Path.of(config.hostRoot()), config.qemuUser()));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  operator.close();
                  libvirt.close();
                  client.close();
                }));
    operator.onLeaseLost(
        () -> {
          // another agent acts for this node now: exit, and let the DaemonSet start us afresh.
          // Shutdown hooks may wait on an API server that does not answer (that is often why the
          // lease was lost): the process ends within 5 s whatever they do.
          LOG.error("lost this node's lease: exiting");
          Thread halt =
              new Thread(
                  () -> {
                    try {
                      Thread.sleep(5000);
                    } catch (InterruptedException e) {
                      return;
                    }
                    Runtime.getRuntime().halt(1);
                  },
                  "kvmop-halt");
          halt.setDaemon(true);
          halt.start();
          System.exit(1);
        });
    operator.start();
    LOG.info(
        "kvmop agent for node {} running against {} and {}",
        config.nodeName(),
        config.libvirtUri(),
        client.getMasterUrl());
    Thread.currentThread().join();
    return 0;
  }
}
