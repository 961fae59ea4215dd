package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class KvmMachineSpec {
  @JsonPropertyDescription(
      "The node to run on; absent means the machine is placed on a node that fits.")
  public String nodeName;

  @JsonPropertyDescription("Network interfaces of the machine, in order.")
  public List<MachineInterface> interfaces = new ArrayList<>();
}
