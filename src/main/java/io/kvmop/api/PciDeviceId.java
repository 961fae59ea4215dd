package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

public class PciDeviceId {
  @JsonPropertyDescription("PCI vendor ID, 4 hex digits, e.g. 10de.")
  @Required
  @Pattern("^[0-9a-fA-F]{4}$")
  public String vendorId;

  @JsonPropertyDescription("PCI product (device) ID, 4 hex digits, e.g. 1eb8.")
  @Required
  @Pattern("^[0-9a-fA-F]{4}$")
  public String productId;

  public PciDeviceId() {}

  public PciDeviceId(String vendorId, String productId) {
    this.vendorId = vendorId;
    this.productId = productId;
  }

  public boolean matches(String vendor, String product) {
    return vendorId.equalsIgnoreCase(vendor) && productId.equalsIgnoreCase(product);
  }

  @Override
  public String toString() {
    return vendorId + ":" + productId;
  }
}
