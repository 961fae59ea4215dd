package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import java.util.ArrayList;
import java.util.List;

/**
 * What image downloads (spec.disks[].image.url) may reach and take on a host. By default only
 * public addresses: loopback, link-local, private, unique-local, multicast and unspecified
 * addresses and the node's own are refused.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ImageDownloadSpec {
  @JsonPropertyDescription(
      "Host names (exactly as in the URL) that downloads may reach even when they resolve to a"
          + " private or internal address, e.g. an internal image mirror.")
  public List<String> allowedHosts = new ArrayList<>();

  @JsonPropertyDescription(
      "Networks (CIDR, IPv4 or IPv6) that downloads may reach even though they are private or"
          + " internal, e.g. 10.20.0.0/16 for an image mirror.")
  public List<String> allowedNetworks = new ArrayList<>();

  @JsonPropertyDescription(
      "The largest image a download may bring, as a Kubernetes quantity (checked against"
          + " Content-Length and while streaming).")
  @Default("64Gi")
  @Pattern(Quantities.SIZE_PATTERN)
  @SchemaFrom(type = io.fabric8.kubernetes.api.model.Quantity.class)
  @JsonDeserialize(using = QuantityText.class)
  public String maxSize = "64Gi";

  @JsonPropertyDescription(
      "A download that receives nothing for this long is abandoned (a duration such as 60s).")
  @Default("60s")
  @Pattern(Quantities.DURATION_PATTERN)
  public String stallTimeout = "60s";

  @JsonPropertyDescription("A download still running after this long is abandoned (e.g. 6h).")
  @Default("6h")
  @Pattern(Quantities.DURATION_PATTERN)
  public String deadline = "6h";
}
