package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

public class CpuFeature {
  @JsonPropertyDescription("Feature name as libvirt knows it, e.g. vmx, avx2.")
  @Required
  @Pattern("^[A-Za-z0-9._-]{1,64}$")
  public String name;

  @JsonPropertyDescription("force, require, optional, disable or forbid (libvirt's policies).")
  @Default("require")
  @Pattern("^(force|require|optional|disable|forbid)$")
  public String policy = "require";

  public CpuFeature() {}

  public CpuFeature(String name, String policy) {
    this.name = name;
    this.policy = policy;
  }
}
