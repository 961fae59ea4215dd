package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeNetworkStatus {
  @JsonPropertyDescription("Node name.")
  public String node;

  @JsonPropertyDescription("The network is running in libvirt on this node.")
  public Boolean active;

  @JsonPropertyDescription("libvirt starts the network when libvirtd starts on this node.")
  public Boolean autostart;

  @JsonPropertyDescription("UUID of the libvirt network on this node, kvmop's ownership record.")
  public String uuid;

  @JsonPropertyDescription("Number of DHCP leases held, where the node's libvirt reports them.")
  public Integer leases;

  @JsonPropertyDescription("The metadata.generation this node last realised.")
  public Long observedGeneration;

  @JsonPropertyDescription("With spec.span: the tunnel on this node, and to which peers.")
  public TunnelStatus tunnel;

  @JsonPropertyDescription("Conditions on this node: Ready and the reasons it is not.")
  public List<Condition> conditions = new ArrayList<>();
}
