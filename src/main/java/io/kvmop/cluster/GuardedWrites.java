package io.kvmop.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Writes that happen only if nobody wrote the object since it was read (a JSON Patch carrying the
 * resourceVersion it was read at; the API server answers 409 otherwise): how agents that write the
 * same object in turn (placement, hand-over, finalizers of gone nodes) never overwrite each other.
 */
public final class GuardedWrites {
  private GuardedWrites() {}

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
  public static boolean patchIfUnchanged(
      KubernetesClient client, HasMetadata r, String path, Object value) {
    return patchIfUnchanged(client, r, java.util.Map.of(path, value));
  }

  /** Several paths at once, in one guarded patch. */
  public static boolean patchIfUnchanged(
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
  public static <R extends HasMetadata> java.util.Optional<R> statusIfUnchanged(
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

  public static String guardedPatch(HasMetadata copy, Object status) {
    return guardedPatch(copy, "/status", status);
  }

  /**
   * A JSON Patch setting {@code path} to {@code value} only if the object still has the
   * resourceVersion of {@code copy}: the patched object carries it, and the API server answers 409
   * when it is not the current one.
   */
  public static String guardedPatch(HasMetadata copy, String path, Object value) {
    return guardedPatch(copy, java.util.Map.of(path, value));
  }

  /** A JSON Patch setting {@code path} to {@code value} whatever the object's version. */
  public static String patch(String path, Object value) {
    com.fasterxml.jackson.databind.ObjectMapper json = Serialization.jsonMapper();
    com.fasterxml.jackson.databind.node.ArrayNode patch = json.createArrayNode();
    patch.addObject().put("op", "add").put("path", path).set("value", json.valueToTree(value));
    return patch.toString();
  }

  public static String guardedPatch(HasMetadata copy, java.util.Map<String, Object> values) {
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
}
