package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MachineInterface {
  @JsonPropertyDescription("Interface name, unique within the machine, for example eth0.")
  @Required
  public String name;

  @JsonPropertyDescription("A KvmNetwork in the machine's namespace to attach to.")
  public String network;

  @JsonPropertyDescription("Or: an existing libvirt network on the node, not managed by kvmop.")
  public String libvirtNetwork;

  @JsonPropertyDescription("MAC address; default: derived from the machine's uid.")
  @Pattern("^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$")
  public String mac;

  public MachineInterface() {}

  public MachineInterface(String name, String network) {
    this.name = name;
    this.network = network;
  }
}
