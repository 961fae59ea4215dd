package io.kvmop.reconciler;

import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmNetwork;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which machines use which network, for the network controller (a network in use waits before it is
 * removed): a watch of every KvmMachine that keeps only what that needs (name, namespace and the
 * interfaces' networks, not the whole machine a second time) and wakes a network only when a
 * machine starts or stops using it, not on every status write of its machines.
 */
final class NetworkUsersSource {
  /** The fields kept per machine; the name, namespace and resourceVersion are always kept. */
  static final String[] KEPT = {"metadata.uid", "metadata.deletionTimestamp", "spec.interfaces"};

  private NetworkUsersSource() {}

  static InformerEventSource<KvmMachine, KvmNetwork> create(EventSourceContext<KvmNetwork> ctx) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(KvmMachine.class, KvmNetwork.class)
            .withSecondaryToPrimaryMapper(NetworkUsersSource::networksOf)
            .withItemStore(
                new ReducedStateItemStore<>(
                    ReducedStateItemStore.NAME_KEY_STATE,
                    KvmMachine.class,
                    ctx.getClient().getKubernetesSerialization(),
                    KEPT))
            .withOnUpdateFilter(NetworkUsersSource::usersChanged)
            .build(),
        ctx);
  }

  /** The networks a machine's interfaces name (in the machine's namespace). */
  static Set<ResourceID> networksOf(KvmMachine m) {
    if (m.getSpec() == null || m.getSpec().interfaces == null) {
      return Set.of();
    }
    return m.getSpec().interfaces.stream()
        .filter(i -> i.network != null)
        .map(i -> new ResourceID(i.network, m.getMetadata().getNamespace()))
        .collect(Collectors.toSet());
  }

  /** An update matters to networks only when the machine's networks or its deletion changed. */
  static boolean usersChanged(KvmMachine now, KvmMachine before) {
    return !networksOf(now).equals(networksOf(before))
        || !Objects.equals(
            now.getMetadata().getDeletionTimestamp(), before.getMetadata().getDeletionTimestamp());
  }
}
