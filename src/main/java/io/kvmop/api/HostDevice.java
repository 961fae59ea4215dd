package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A PCI device of the node passed through to the machine (VFIO). */
public class HostDevice {
  @JsonPropertyDescription(
      "PCI address on the node, domain:bus:slot.function as lspci -D shows it, e.g."
          + " 0000:3b:00.0. Only devices the node's KvmHost lists in"
          + " spec.permittedHostDevices are accepted.")
  @Required
  @Pattern("^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]$")
  public String pciAddress;

  public HostDevice() {}

  @com.fasterxml.jackson.annotation.JsonCreator(
      mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DISABLED)
  public HostDevice(String pciAddress) {
    this.pciAddress = pciAddress;
  }
}
