package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One disk held by a snapshot. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SnapshotDisk {
  @JsonPropertyDescription("The disk's name in the machine's spec.disks.")
  public String name;

  @JsonPropertyDescription("The volume in kvmop's pool that holds it.")
  public String volume;

  @JsonPropertyDescription("The disk's virtual size in bytes when it was taken.")
  public Long capacityBytes;

  @JsonPropertyDescription("The base image the volume is an overlay on, if any.")
  public String backingImage;

  @JsonPropertyDescription(
      "The KvmStoragePool (type rbd) whose RBD image holds it, when it is on one: the snapshot is"
          + " then an RBD snapshot of that image, named as the libvirtName, and is reachable from"
          + " every node that reaches the pool. Absent for a volume in the node's directory pool.")
  public String storage;

  public SnapshotDisk() {}

  public SnapshotDisk(String name, String volume, Long capacityBytes, String backingImage) {
    this.name = name;
    this.volume = volume;
    this.capacityBytes = capacityBytes;
    this.backingImage = backingImage;
  }
}
