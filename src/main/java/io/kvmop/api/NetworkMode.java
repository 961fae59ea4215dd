package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a KvmNetwork reaches the outside world, named as libvirt's forward modes. */
public enum NetworkMode {
  @JsonProperty("nat")
  NAT,
  @JsonProperty("isolated")
  ISOLATED,
  @JsonProperty("route")
  ROUTE,
  @JsonProperty("open")
  OPEN,
  @JsonProperty("bridge")
  BRIDGE;

  /** The value as written in YAML and in libvirt's forward mode. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
