package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** libvirt domain type: hardware virtualization (kvm) or software emulation (qemu, TCG). */
public enum VirtType {
  @JsonProperty("kvm")
  KVM,
  @JsonProperty("qemu")
  QEMU,
  @JsonProperty("auto")
  AUTO;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
