package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where a running machine's display listens on its node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GraphicsStatus {
  @JsonPropertyDescription("vnc")
  public String type;

  @JsonPropertyDescription("The address on the node: always its loopback, 127.0.0.1.")
  public String address;

  @JsonPropertyDescription("The TCP port libvirt gave the display at this start.")
  public Integer port;

  public GraphicsStatus() {}

  public GraphicsStatus(String type, String address, Integer port) {
    this.type = type;
    this.address = address;
    this.port = port;
  }
}
