package io.kvmop.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kvmop.api.KvmHost;
import io.kvmop.api.KvmMachine;
import io.kvmop.status.Conditions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Watches the API the way a user's {@code kubectl get -w} would and notes when the first machine,
 * and when all of them, report their domain running (condition Running, current generation); and
 * when the node's KvmHost is Ready.
 */
final class Convergence implements AutoCloseable {
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final SharedIndexInformer<KvmMachine> machines;
  private final SharedIndexInformer<KvmHost> hosts;
  private volatile long firstRunning;
  private volatile long hostReady;

  Convergence(KubernetesClient client) {
    machines =
        client
            .resources(KvmMachine.class)
            .inAnyNamespace()
            .inform(handler(this::note, m -> running.remove(key(m))));
    hosts = client.resources(KvmHost.class).inform(handler(this::noteHost, h -> {}));
  }

  /** An informer handler: {@code seen} for every added or updated object, {@code gone} after. */
  private static <T> ResourceEventHandler<T> handler(
      java.util.function.Consumer<T> seen, java.util.function.Consumer<T> gone) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T t) {
        seen.accept(t);
      }

      @Override
      public void onUpdate(T old, T t) {
        seen.accept(t);
      }

      @Override
      public void onDelete(T t, boolean unknown) {
        gone.accept(t);
      }
    };
  }

  private static String key(KvmMachine m) {
    return m.getMetadata().getNamespace() + "/" + m.getMetadata().getName();
  }

  private void note(KvmMachine m) {
    // on the test driver no guest gets a DHCP lease: "running" is the Running condition, true
    if (m.getStatus() != null
        && Conditions.isTrue(m.getStatus().conditions, "Running")
        && m.getMetadata().getGeneration().equals(m.getStatus().observedGeneration)) {
      if (running.add(key(m)) && firstRunning == 0) {
        firstRunning = System.nanoTime();
      }
    } else {
      running.remove(key(m));
    }
  }

  private void noteHost(KvmHost h) {
    if (hostReady == 0
        && h.getStatus() != null
        && Conditions.isTrue(h.getStatus().conditions, Conditions.READY)) {
      hostReady = System.nanoTime();
    }
  }

  int running() {
    return running.size();
  }

  /** Waits until n machines run; returns the nanoTime it happened at. */
  long awaitRunning(int n, long timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (running.size() < n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            running.size()
                + " of "
                + n
                + " machines Running after "
                + timeoutSeconds
                + " s; one that is not: "
                + machines.getStore().list().stream()
                    .filter(m -> !running.contains(key(m)))
                    .findFirst()
                    .map(io.fabric8.kubernetes.client.utils.Serialization::asYaml)
                    .orElse("(none listed)"));
      }
      Thread.sleep(20);
    }
    return System.nanoTime();
  }

  long awaitHostReady(long timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (hostReady == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("KvmHost not Ready after " + timeoutSeconds + " s");
      }
      Thread.sleep(20);
    }
    return hostReady;
  }

  long firstRunning() {
    return firstRunning;
  }

  long hostReady() {
    return hostReady;
  }

  @Override
  public void close() {
    machines.close();
    hosts.close();
  }
}
