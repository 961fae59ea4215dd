package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class KvmHostSpec {
  @JsonPropertyDescription("No new machines are placed on this host; running ones stay.")
  @Default("false")
  public Boolean cordoned = false;

  @JsonPropertyDescription(
      "The only PCI devices machines on this host may take (spec.hostDevices), by vendor and"
          + " product ID as lspci -nn shows them.")
  public List<PciDeviceId> permittedHostDevices = new ArrayList<>();

  @JsonPropertyDescription("Directories on the host where machine images and kernels may be.")
  public List<String> imageDirectories = new ArrayList<>(List.of("/var/lib/kvmop/images"));
}
