package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.mode == 'custom' ? has(self.model) : !has(self.model)",
    message = "spec.cpu.model is required with mode custom and allowed only with it")
@ValidationRule(
    value = "self.sockets * self.cores * self.threads <= 512",
    message = "spec.cpu: sockets x cores x threads must be at most 512 vCPUs")
@ValidationRule(
    value = "!has(self.maxSockets) || self.maxSockets * self.cores * self.threads <= 512",
    message = "spec.cpu: maxSockets x cores x threads must be at most 512 vCPUs")
@ValidationRule(
    value = "!has(self.maxSockets) || self.maxSockets >= self.sockets",
    message = "spec.cpu.maxSockets must be at least sockets")
public class CpuSpec {
  @JsonPropertyDescription("CPU sockets.")
  @Default("1")
  @Min(1)
  @Max(64)
  public Integer sockets = 1;

  @JsonPropertyDescription(
      "The most sockets the running guest may have (at least sockets): sockets can then be"
          + " changed up to it while the guest runs (vCPU hotplug, cores x threads vCPUs each)"
          + " without a restart. Placement reserves this many. Default: sockets.")
  @Min(1)
  @Max(64)
  public Integer maxSockets;

  @JsonPropertyDescription("Cores per socket; sockets x cores x threads = vCPUs.")
  @Default("1")
  @Min(1)
  @Max(256)
  public Integer cores = 1;

  @JsonPropertyDescription("Threads per core.")
  @Default("1")
  @Min(1)
  @Max(8)
  public Integer threads = 1;

  @JsonPropertyDescription(
      "host-model (the host's CPU model, migratable), host-passthrough (the host CPU as is),"
          + " custom (spec.cpu.model, checked against the host's models) or none (the"
          + " hypervisor's default CPU).")
  @Default("host-model")
  public CpuMode mode = CpuMode.HOST_MODEL;

  @JsonPropertyDescription(
      "With mode custom: a CPU model the host has, e.g. Nehalem or Skylake-Client.")
  @Pattern("^[A-Za-z0-9._-]{1,64}$")
  public String model;

  @JsonPropertyDescription("CPU features to require or disable, e.g. {name: vmx, policy: require}.")
  public List<CpuFeature> features;

  /** The vCPUs the guest may grow to: maxSockets x cores x threads, at least vcpus(). */
  public int maxVcpus() {
    int max =
        (maxSockets == null ? 1 : maxSockets)
            * (cores == null ? 1 : cores)
            * (threads == null ? 1 : threads);
    return Math.max(max, vcpus());
  }

  public int vcpus() {
    return (sockets == null ? 1 : sockets)
        * (cores == null ? 1 : cores)
        * (threads == null ? 1 : threads);
  }

  public CpuMode modeOrDefault() {
    return mode == null ? CpuMode.HOST_MODEL : mode;
  }
}
