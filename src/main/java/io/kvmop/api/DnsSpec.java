package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class DnsSpec {
  @JsonPropertyDescription("Serve DNS to guests on the network.")
  @Default("true")
  public Boolean enabled = Boolean.TRUE;

  @JsonPropertyDescription(
      "DNS domain of the network; guest names resolve under it and it is answered locally.")
  @Pattern("^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
  public String domain;

  @JsonPropertyDescription("Extra host records served by the network's DNS.")
  public List<DnsHost> hosts;

  public boolean isEnabled() {
    return enabled == null || enabled;
  }
}
