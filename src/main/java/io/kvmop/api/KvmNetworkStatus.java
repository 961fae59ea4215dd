package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class KvmNetworkStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "Pending, Ready (realised and active on every selected node), Degraded (some nodes"
          + " not ready), Failed (not realised anywhere; see conditions) or Terminating.")
  public NetworkPhase phase;

  @JsonPropertyDescription("The network's name in libvirt, unique and stable for this resource.")
  public String libvirtName;

  @JsonPropertyDescription(
      "The host bridge libvirt creates for the network (at most 15 characters).")
  public String bridge;

  @JsonPropertyDescription(
      "Ready, plus AddressConflict, NameConflict, InvalidSpec, InUse and RestartRequired"
          + " where they apply; each False/True condition's message says what to do.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("One entry per node the network is realised on.")
  public List<NodeNetworkStatus> nodes = new ArrayList<>();

  @JsonPropertyDescription(
      "With spec.span: each machine interface's address, the same on every node (its DHCP"
          + " reservation and DNS record there).")
  public List<AddressAllocation> addresses;
}
