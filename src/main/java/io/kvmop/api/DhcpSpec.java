package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class DhcpSpec {
  @JsonPropertyDescription("Serve DHCP on the network.")
  @Default("true")
  public Boolean enabled = Boolean.TRUE;

  @JsonPropertyDescription("First address handed out. Default: the address after the gateway.")
  @Pattern("^" + Ipv4Spec.IPV4 + "$")
  public String start;

  @JsonPropertyDescription("Last address handed out. Default: the last usable address of the cidr.")
  @Pattern("^" + Ipv4Spec.IPV4 + "$")
  public String end;

  @JsonPropertyDescription("Static reservations: this MAC always gets this address.")
  public List<DhcpHost> hosts;

  public boolean isEnabled() {
    return enabled == null || enabled;
  }
}
