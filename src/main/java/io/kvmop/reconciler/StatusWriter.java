package io.kvmop.reconciler;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kvmop.cluster.GuardedWrites;
import java.util.Optional;

/**
 * The writes under {@link StatusPublisher} (and the guarded metadata patches of placement and
 * hand-over). Writes a status only when it changed, the whole status in one JSON Patch operation,
 * the same on every API server (no server-side apply: one write path, the one the tests run). A
 * patch diffed against JOSDK's cached copy would not do: that copy lags behind kvmop's own last
 * write when events come fast, and index-based removals in such a diff miss (a real API server
 * answers 422).
 */
final class StatusWriter {

  /** The resource as written; empty when its status already was {@code status}. */
  <S, R extends CustomResource<?, S>> Optional<R> write(
      R resource, S status, KubernetesClient client) {
    if (same(resource.getStatus(), status)) {
      return Optional.empty();
    }
    return Optional.of(writeNow(resource, status, client));
  }

  /** The same status, field for field (and a missing status is never the same). */
  static boolean same(Object current, Object next) {
    return current != null && Serialization.asJson(current).equals(Serialization.asJson(next));
  }

  /**
   * A status several agents write, each its own part (a KvmNetwork's per-node entries): merged into
   * the copy at hand and replaced with that copy's resourceVersion; when another agent wrote in
   * between (409), merged again into the latest copy. Nobody's entry is lost.
   *
   * @return the status as written (or found already written)
   */
  <S, R extends CustomResource<?, S>> S writeShared(
      R resource, java.util.function.Function<R, S> merge, KubernetesClient client) {
    R latest = resource;
    for (int attempt = 0; ; attempt++) {
      S status = merge.apply(latest);
      if (same(latest.getStatus(), status)) {
        return status;
      }
      try {
        client
            .resource(latest)
            .subresource("status")
            .patch(PatchContext.of(PatchType.JSON), GuardedWrites.guardedPatch(latest, status));
        latest.setStatus(status);
        return status;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 20) {
          throw e;
        }
        @SuppressWarnings("unchecked")
        Class<R> type = (Class<R>) resource.getClass();
        R fresh =
            client
                .resources(type)
                .inNamespace(resource.getMetadata().getNamespace())
                .withName(resource.getMetadata().getName())
                .get();
        if (fresh == null) {
          return status; // deleted meanwhile
        }
        latest = fresh;
      }
    }
  }

  /** For cleanup, where JOSDK offers no status update: always a direct write. */
  <S, R extends CustomResource<?, S>> R writeNow(R resource, S status, KubernetesClient client) {
    resource.setStatus(status);
    String patch = GuardedWrites.patch("/status", status);
    return client
        .resource(resource)
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON), patch);
  }
}
