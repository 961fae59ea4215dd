package io.kvmop.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/**
 * The writes under {@link StatusPublisher} (and the guarded metadata patches of placement and
 * hand-over). Writes a status only when it changed. With server-side apply (real clusters) through
 * JOSDK's UpdateControl. Without it, JOSDK would send a JSON Patch diffed against its cached copy,
 * which lags behind kvmop's own last write when events come fast; index-based removals in that diff
 * then miss (a real API server answers 422, the mock API server never answers). So the whole status
 * is replaced in one operation instead.
 */
final class StatusWriter {
  private final boolean serverSideApply;

  StatusWriter(boolean serverSideApply) {
    this.serverSideApply = serverSideApply;
  }

  <S, R extends CustomResource<?, S>> UpdateControl<R> write(
      R resource, S status, KubernetesClient client) {
    if (same(resource.getStatus(), status)) {
      return UpdateControl.noUpdate();
    }
    resource.setStatus(status);
    if (serverSideApply) {
      return UpdateControl.patchStatus(resource);
    }
    writeNow(resource, status, client);
    return UpdateControl.noUpdate();
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
            .patch(PatchContext.of(PatchType.JSON), guardedPatch(latest, status));
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

  /**
   * A JSON Patch replacing the status, guarded by the copy's resourceVersion: the patched object
   * carries the resourceVersion the status was computed from, so the API server applies it only if
   * nobody wrote since (else 409). (A JSON merge patch would do the same on a real API server, but
   * the mock API server appends to lists in merge patches.)
   */
  /**
   * Sets {@code path} of {@code r} to {@code value} only if nobody wrote {@code r} since it was
   * read; false when somebody did (409), and whoever looks next decides again.
   */
  static boolean patchIfUnchanged(
      KubernetesClient client, HasMetadata r, String path, Object value) {
    return patchIfUnchanged(client, r, java.util.Map.of(path, value));
  }

  /** Several paths at once, in one guarded patch. */
  static boolean patchIfUnchanged(
      KubernetesClient client, HasMetadata r, java.util.Map<String, Object> values) {
    try {
      client.resource(r).patch(PatchContext.of(PatchType.JSON), guardedPatch(r, values));
      return true;
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      return false;
    }
  }

  /**
   * Sets {@code path} of {@code r}'s status (or the whole status, path "/status") only if nobody
   * wrote {@code r} since it was read: the resource as written, or empty when somebody did (409)
   * and whoever looks next decides again. For statuses two agents write in turn.
   */
  static <R extends HasMetadata> java.util.Optional<R> statusIfUnchanged(
      KubernetesClient client, R r, String path, Object value) {
    try {
      return java.util.Optional.of(
          client
              .resource(r)
              .subresource("status")
              .patch(PatchContext.of(PatchType.JSON), guardedPatch(r, path, value)));
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      return java.util.Optional.empty();
    }
  }

  static String guardedPatch(HasMetadata copy, Object status) {
    return guardedPatch(copy, "/status", status);
  }

  /**
   * A JSON Patch setting {@code path} to {@code value} only if the object still has the
   * resourceVersion of {@code copy}: the patched object carries it, and the API server answers 409
   * when it is not the current one.
   */
  static String guardedPatch(HasMetadata copy, String path, Object value) {
    return guardedPatch(copy, java.util.Map.of(path, value));
  }

  static String guardedPatch(HasMetadata copy, java.util.Map<String, Object> values) {
    com.fasterxml.jackson.databind.ObjectMapper json = Serialization.jsonMapper();
    com.fasterxml.jackson.databind.node.ArrayNode patch = json.createArrayNode();
    patch
        .addObject()
        .put("op", "replace")
        .put("path", "/metadata/resourceVersion")
        .put("value", copy.getMetadata().getResourceVersion());
    new java.util.TreeMap<>(values)
        .forEach(
            (path, value) ->
                patch
                    .addObject()
                    .put("op", "add")
                    .put("path", path)
                    .set("value", json.valueToTree(value)));
    return patch.toString();
  }

  /** For cleanup, where JOSDK offers no status update: always a direct write. */
  <S, R extends CustomResource<?, S>> void writeNow(R resource, S status, KubernetesClient client) {
    resource.setStatus(status);
    String patch =
        "[{\"op\":\"add\",\"path\":\"/status\",\"value\":" + Serialization.asJson(status) + "}]";
    client.resource(resource).subresource("status").patch(PatchContext.of(PatchType.JSON), patch);
  }
}
