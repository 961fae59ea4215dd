package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "cidr(self.cidr).prefixLength() <= 30",
    message = "spec.ipv4.cidr must have a prefix of /30 or shorter to hold a gateway and a guest")
@ValidationRule(
    value = "!has(self.gateway) || cidr(self.cidr).containsIP(self.gateway)",
    message = "spec.ipv4.gateway must lie inside spec.ipv4.cidr")
@ValidationRule(
    value =
        "!has(self.dhcp) || !has(self.dhcp.start) || cidr(self.cidr).containsIP(self.dhcp.start)",
    message = "spec.ipv4.dhcp.start must lie inside spec.ipv4.cidr")
@ValidationRule(
    value = "!has(self.dhcp) || !has(self.dhcp.end) || cidr(self.cidr).containsIP(self.dhcp.end)",
    message = "spec.ipv4.dhcp.end must lie inside spec.ipv4.cidr")
public class Ipv4Spec {
  public static final String IPV4 =
      "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}";

  @JsonPropertyDescription(
      "The network's IPv4 range in CIDR notation, for example 192.168.39.0/24. Must not"
          + " overlap another network on the node.")
  @Required
  @Pattern("^" + IPV4 + "/([0-9]|[12][0-9]|3[0-2])$")
  public String cidr;

  @JsonPropertyDescription(
      "The host's address on the network, which guests use as their gateway. Default: the"
          + " first address of the cidr.")
  @Pattern("^" + IPV4 + "$")
  public String gateway;

  @JsonPropertyDescription("DHCP service (libvirt's dnsmasq) on the network.")
  public DhcpSpec dhcp;

  public Ipv4Spec() {}

  @com.fasterxml.jackson.annotation.JsonCreator(
      mode = com.fasterxml.jackson.annotation.JsonCreator.Mode.DISABLED)
  public Ipv4Spec(String cidr) {
    this.cidr = cidr;
  }
}
