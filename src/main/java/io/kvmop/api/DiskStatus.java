package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One disk as it is on the node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DiskStatus {
  @JsonPropertyDescription("The disk's name in spec.disks, or cidata for the cloud-init seed.")
  public String name;

  @JsonPropertyDescription(
      "The KvmStoragePool the volume is in; absent for the node's own directory pool.")
  public String storage;

  @JsonPropertyDescription(
      "The libvirt storage volume holding it, or on an rbd pool the RBD image (in pool/image"
          + " form in path).")
  public String volume;

  @JsonPropertyDescription("The volume's file on the node, or rbd:POOL/IMAGE on Ceph.")
  public String path;

  @JsonPropertyDescription("Its format: qcow2 or raw.")
  public String format;

  @JsonPropertyDescription("Virtual size in bytes.")
  public Long capacityBytes;

  @JsonPropertyDescription(
      "The base image file the overlay reads from, if any; on Ceph, the RBD base image the"
          + " clone stands on.")
  public String backingImage;

  @JsonPropertyDescription("The guest device, e.g. vda.")
  public String target;

  @JsonPropertyDescription(
      "What happens to the volume when the machine is deleted: Delete or Retain.")
  public String reclaimPolicy;

  public DiskStatus() {}
}
