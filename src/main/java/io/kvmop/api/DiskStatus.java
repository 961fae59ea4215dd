package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One disk as it is on the node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DiskStatus {
  @JsonPropertyDescription("The disk's name in spec.disks, or cidata for the cloud-init seed.")
  public String name;

  @JsonPropertyDescription("The libvirt storage volume holding it.")
  public String volume;

  @JsonPropertyDescription("The volume's file on the node.")
  public String path;

  @JsonPropertyDescription("Its format: qcow2 or raw.")
  public String format;

  @JsonPropertyDescription("Virtual size in bytes.")
  public Long capacityBytes;

  @JsonPropertyDescription("The base image file the overlay reads from, if any.")
  public String backingImage;

  @JsonPropertyDescription("The guest device, e.g. vda.")
  public String target;

  @JsonPropertyDescription(
      "What happens to the volume when the machine is deleted: Delete or Retain.")
  public String reclaimPolicy;

  public DiskStatus() {}
}
