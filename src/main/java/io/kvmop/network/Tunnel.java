package io.kvmop.network;

import java.util.List;

/**
 * A spanning network's VXLAN tunnel on one node, as it must be: the device, attached to the
 * network's bridge, flooding broadcast and unknown traffic to exactly these peers.
 *
 * @param local this node's address the tunnel runs from
 * @param peers the other nodes' addresses
 */
public record Tunnel(
    String device, int vni, String local, int port, String bridge, int mtu, List<String> peers) {}
