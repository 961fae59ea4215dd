package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

public class DnsHost {
  @JsonPropertyDescription("Address the names resolve to.")
  @Required
  @Pattern("^" + Ipv4Spec.IPV4 + "$")
  public String ip;

  @JsonPropertyDescription("Names that resolve to the address.")
  @Required
  @Size(min = 1)
  public List<String> hostnames;

  public DnsHost() {}

  public DnsHost(String ip, List<String> hostnames) {
    this.ip = ip;
    this.hostnames = hostnames;
  }
}
