package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** libvirt CPU mode. */
public enum CpuMode {
  @JsonProperty("host-model")
  HOST_MODEL,
  @JsonProperty("host-passthrough")
  HOST_PASSTHROUGH,
  @JsonProperty("custom")
  CUSTOM,
  @JsonProperty("none")
  NONE;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
