package io.kvmop.cluster;

/**
 * Each node's agent holds its own finalizer on a resource ({@code KIND.kvmop.io/NODE}), so that
 * every node cleans up its own share before the resource goes.
 */
public final class Finalizers {
  private Finalizers() {}

  /** A machine's finalizer of {@code node}'s agent. */
  public static String machine(String node) {
    return forNode("machine", node);
  }

  /** A network's finalizer of {@code node}'s agent. */
  public static String network(String node) {
    return forNode("network", node);
  }

  /** A snapshot's finalizer of {@code node}'s agent. */
  public static String snapshot(String node) {
    return forNode("snapshot", node);
  }

  static String forNode(String kind, String node) {
    // the part after the slash is a qualified name part: at most 63 characters
    return kind + ".kvmop.io/" + (node.length() <= 63 ? node : node.substring(0, 63));
  }
}
