package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** A spanning network's tunnel on one node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TunnelStatus {
  @JsonPropertyDescription("The VXLAN device on the node, attached to the network's bridge.")
  public String device;

  public Integer vni;

  @JsonPropertyDescription("This node's address the tunnel runs from (KVMOP_OVERLAY_ADDRESS).")
  public String localAddress;

  @JsonPropertyDescription(
      "The other nodes' addresses it floods to: the nodes running the network.")
  public List<String> peers = new ArrayList<>();

  @JsonPropertyDescription("The device exists, is up and attached, with exactly these peers.")
  public Boolean up;
}
