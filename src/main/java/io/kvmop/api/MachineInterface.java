package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.network) != has(self.libvirtNetwork)",
    message = "each interface names exactly one of network (a KvmNetwork) or libvirtNetwork")
public class MachineInterface {
  @JsonPropertyDescription("Interface name, unique within the machine, for example eth0.")
  @Required
  @Pattern("^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")
  public String name;

  @JsonPropertyDescription("A KvmNetwork in the machine's namespace to attach to.")
  @Pattern("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")
  public String network;

  @JsonPropertyDescription(
      "Or: an existing libvirt network on the node, not managed by kvmop (e.g. default).")
  @Pattern("^[A-Za-z0-9_.:-]{1,200}$")
  public String libvirtNetwork;

  @JsonPropertyDescription(
      "MAC address; default: derived from the machine's uid and the interface name.")
  @Pattern("^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$")
  public String mac;

  @JsonPropertyDescription("NIC model: virtio (default), e1000e or rtl8139.")
  @Default("virtio")
  @Pattern("^(virtio|e1000e|e1000|rtl8139)$")
  public String model = "virtio";

  public MachineInterface() {}

  public MachineInterface(String name, String network) {
    this.name = name;
    this.network = network;
  }
}
