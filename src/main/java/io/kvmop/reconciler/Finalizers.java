package io.kvmop.reconciler;

/**
 * Each node's agent holds its own finalizer on a resource ({@code KIND.kvmop.io/NODE}), so that
 * every node cleans up its own share before the resource goes.
 */
final class Finalizers {
  private Finalizers() {}

  static String forNode(String kind, String node) {
    // the part after the slash is a qualified name part: at most 63 characters
    return kind + ".kvmop.io/" + (node.length() <= 63 ? node : node.substring(0, 63));
  }
}
