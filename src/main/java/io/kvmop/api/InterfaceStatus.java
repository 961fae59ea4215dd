package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class InterfaceStatus {
  @JsonPropertyDescription("Interface name from spec.interfaces.")
  public String name;

  @JsonPropertyDescription("MAC address in use.")
  public String mac;

  @JsonPropertyDescription("KvmNetwork (or libvirt network) it is attached to.")
  public String network;

  @JsonPropertyDescription("IPv4 addresses seen for the interface.")
  public List<String> ipAddresses = new ArrayList<>();

  @JsonPropertyDescription("Where the addresses come from: lease (libvirt's DHCP) or agent.")
  public String source;
}
