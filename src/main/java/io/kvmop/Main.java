package io.kvmop;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kvmop.host.HostFiles;
import io.kvmop.host.LinuxHostNetwork;
import io.kvmop.libvirt.JnaLibvirt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the node agent against the current kubeconfig (or in-cluster config) and libvirt. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    OperatorConfig config = OperatorConfig.fromEnvironment(System.getenv());
    KubernetesClient client = new KubernetesClientBuilder().build();
    JnaLibvirt libvirt = new JnaLibvirt(config.libvirtUri());
    KvmopOperator operator =
        new KvmopOperator(
            config,
            client,
            libvirt,
            new LinuxHostNetwork(),
            new HostFiles(java.nio.file.Path.of(config.hostRoot()), config.qemuUser()));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  operator.close();
                  libvirt.close();
                  client.close();
                }));
    operator.start();
    LOG.info(
        "kvmop agent for node {} running against {} and {}",
        config.nodeName(),
        config.libvirtUri(),
        client.getMasterUrl());
    Thread.currentThread().join();
  }
}
