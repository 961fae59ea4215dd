package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class DhcpHost {
  @JsonPropertyDescription("MAC address of the guest interface, for example 52:54:00:00:00:10.")
  @Required
  @Pattern("^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$")
  public String mac;

  @JsonPropertyDescription("Address reserved for that MAC; must lie inside spec.ipv4.cidr.")
  @Required
  @Pattern("^" + Ipv4Spec.IPV4 + "$")
  public String ip;

  @JsonPropertyDescription("Host name handed to the guest with the lease.")
  @Pattern("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
  public String hostname;

  public DhcpHost() {}

  public DhcpHost(String mac, String ip, String hostname) {
    this.mac = mac;
    this.ip = ip;
    this.hostname = hostname;
  }
}
