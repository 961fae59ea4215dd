package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

public class HostBridgeRef {
  @JsonPropertyDescription(
      "Name of an existing Linux bridge on the host, for example br0 (at most 15 characters).")
  @Required
  @Pattern("^[A-Za-z0-9_.:-]{1,15}$")
  public String name;

  public HostBridgeRef() {}

  @com.fasterxml.jackson.annotation.JsonCreator(
      mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DISABLED)
  public HostBridgeRef(String name) {
    this.name = name;
  }
}
