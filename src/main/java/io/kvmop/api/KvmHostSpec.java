package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class KvmHostSpec {
  public double cpuRatio() {
    return cpuAllocationRatio == null ? 1.0 : cpuAllocationRatio;
  }

  public double memoryRatio() {
    return memoryAllocationRatio == null ? 1.0 : memoryAllocationRatio;
  }

  @JsonPropertyDescription("No new machines are placed on this host; running ones stay.")
  @Default("false")
  public Boolean cordoned = false;

  @JsonPropertyDescription(
      "With cordoned: the host's running machines move to other hosts while they run (one"
          + " KvmMachineMigration each, labelled kvmop.io/drain=HOST); status.drain says what"
          + " moved, what is moving, and what cannot move and why. Unset it to stop starting new"
          + " migrations.")
  @Default("false")
  public Boolean drain = false;

  @JsonPropertyDescription(
      "How many vCPUs machines on this host may hold per host CPU (as Nova's"
          + " cpu_allocation_ratio): 1 gives out each CPU once; 4 lets four one-vCPU machines share"
          + " a CPU. Placement and starts never go past capacity times this ratio. Halted machines"
          + " hold nothing.")
  @Default("1.0")
  @Min(0.1)
  @Max(64)
  public Double cpuAllocationRatio = 1.0;

  @JsonPropertyDescription(
      "How much memory machines on this host may hold per byte of host memory (as Nova's"
          + " ram_allocation_ratio): 1 gives out the host's memory once; below 1 keeps some for the"
          + " host; above 1 overcommits (guests may then be killed when all use their memory).")
  @Default("1.0")
  @Min(0.1)
  @Max(8)
  public Double memoryAllocationRatio = 1.0;

  @JsonPropertyDescription(
      "The only PCI devices machines on this host may take (spec.hostDevices), by vendor and"
          + " product ID as lspci -nn shows them.")
  public List<PciDeviceId> permittedHostDevices = new ArrayList<>();

  @JsonPropertyDescription(
      "Directories on the host where machine images, kernels and initrds may be (a file must be"
          + " a regular file inside one of them after every symlink is followed). kvmop's storage"
          + " pool is never one of them. Only the node's admin may write to them.")
  public List<String> imageDirectories = new ArrayList<>(List.of("/var/lib/kvmop/images"));

  @JsonPropertyDescription(
      "What image downloads (spec.disks[].image.url) may reach and bring: by default public"
          + " addresses only, at most 64Gi.")
  public ImageDownloadSpec imageDownloads = new ImageDownloadSpec();

  @JsonPropertyDescription(
      "libvirt networks not managed by kvmop that machines may attach to by"
          + " spec.interfaces[].libvirtNetwork (e.g. default). Empty: none. A network kvmop"
          + " created for a KvmNetwork is never one of them.")
  public List<String> permittedLibvirtNetworks = new ArrayList<>();

  @JsonPropertyDescription(
      "Host bridges that KvmNetworks of mode bridge may attach to (spec.bridge.name). Empty:"
          + " none.")
  public List<String> permittedBridges = new ArrayList<>();
}
