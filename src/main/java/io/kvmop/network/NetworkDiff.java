package io.kvmop.network;

import io.kvmop.libvirt.xml.NetworkXml;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Names the parts of a network definition that differ, for conditions and events. */
final class NetworkDiff {
  private NetworkDiff() {}

  static String describe(NetworkXml before, NetworkXml after) {
    if (before == null) {
      return "new definition";
    }
    List<String> parts = new ArrayList<>();
    diff(parts, "forward mode", before.forward(), after.forward());
    diff(parts, "bridge", before.bridge(), after.bridge());
    diff(parts, "mtu", before.mtu(), after.mtu());
    diff(parts, "dns domain", before.domain(), after.domain());
    diff(parts, "dns", before.dns(), after.dns());
    diff(parts, "ipv4", before.ips(), after.ips());
    diff(parts, "ownership metadata", before.metadata(), after.metadata());
    return parts.isEmpty() ? "definition" : String.join(", ", parts) + " changed";
  }

  private static void diff(List<String> parts, String label, Object a, Object b) {
    if (!Objects.equals(a, b)) {
      parts.add(label);
    }
  }
}
