package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** One L2 across the nodes that run a KvmNetwork: a VXLAN overlay between them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SpanSpec {
  @JsonPropertyDescription(
      "The VXLAN network identifier; default: derived from the resource (namespace, name, uid).")
  @Min(1)
  @Max(16777215)
  public Integer vni;

  @JsonPropertyDescription("The UDP port of the tunnel between the nodes (default 4789).")
  @Min(1)
  @Max(65535)
  @Default("4789")
  public Integer port = 4789;

  public SpanSpec() {}

  public int portOrDefault() {
    return port == null ? 4789 : port;
  }
}
