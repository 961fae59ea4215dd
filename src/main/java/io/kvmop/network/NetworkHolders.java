package io.kvmop.network;

import io.kvmop.api.KvmNetwork;
import io.kvmop.api.Unreadable;
import io.kvmop.validation.ResourceNames;
import java.util.ArrayList;
import java.util.List;

/**
 * Which of a node's KvmNetworks hold what they declare (an address range, a VNI): the ones kvmop
 * admits, oldest first. A network refused for anything (unreadable, invalid, a bridge the node does
 * not permit, an overlap with an older holder) holds nothing, so it never keeps another tenant's
 * network off the node. Pure.
 */
public final class NetworkHolders {
  private NetworkHolders() {}

  public static List<KvmNetwork> of(
      List<KvmNetwork> selectedOnNode, String node, List<String> permittedBridges) {
    List<KvmNetwork> byAge = new ArrayList<>(selectedOnNode);
    byAge.sort(
        (a, b) -> NetworkValidator.olderThan(a, b) ? -1 : NetworkValidator.olderThan(b, a) ? 1 : 0);
    List<KvmNetwork> holders = new ArrayList<>();
    for (KvmNetwork n : byAge) {
      if (admitted(n, node, permittedBridges)
          && NetworkValidator.overlap(n, holders).isEmpty()
          && NetworkValidator.vniTaken(n, holders).isEmpty()) {
        holders.add(n);
      }
    }
    return holders;
  }

  private static boolean admitted(KvmNetwork n, String node, List<String> permittedBridges) {
    return n.getMetadata() != null
        && n.getMetadata().getUid() != null
        && n.getSpec() != null
        && Unreadable.problems(n).isEmpty()
        && ResourceNames.problems(n.getMetadata()).isEmpty()
        && NetworkValidator.validate(n.getSpec()).isEmpty()
        && NetworkValidator.bridgeNotPermitted(n.getSpec(), node, permittedBridges).isEmpty();
  }
}
