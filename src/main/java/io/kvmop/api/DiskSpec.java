package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * One disk of a machine: a copy-on-write overlay on a base image, a clone of a snapshot's disk, or
 * a blank volume.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.image) || has(self.size) || has(self.snapshot)",
    message =
        "each disk needs an image (an overlay on it), a snapshot (a clone of a snapshot's disk)"
            + " or a size (a blank volume)")
@ValidationRule(
    value = "!has(self.image) || !has(self.snapshot)",
    message = "a disk starts from an image or from a snapshot, not both")
@ValidationRule(
    value = "!has(self.snapshot) || !has(self.format)",
    message = "format applies to blank volumes; a clone of a snapshot's disk is always qcow2")
@ValidationRule(
    value = "!has(self.image) || !has(self.format) || self.format == 'qcow2'",
    message =
        "format applies to blank volumes; a disk with an image is always a qcow2 overlay (the"
            + " image's own format goes in image.format)")
public class DiskSpec {
  @JsonPropertyDescription("Disk name, unique within the machine, e.g. root or data.")
  @Required
  @Pattern("^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")
  public String name;

  @JsonPropertyDescription(
      "Base image: the disk is a qcow2 copy-on-write overlay on it, so the image itself is"
          + " never written and can be shared by many machines.")
  public ImageSource image;

  @JsonPropertyDescription(
      "A disk of a KvmMachineSnapshot in this namespace: this disk starts as that disk was"
          + " when the snapshot was taken (a clone, copy-on-write on the same base image where"
          + " there is one). Copied once, when the volume is created; the snapshot may then go.")
  public SnapshotSource snapshot;

  @JsonPropertyDescription(
      "Virtual size, e.g. 20Gi. With an image: grown to this if larger than the image (the"
          + " guest grows its filesystem). Without: the size of the blank volume. Growing it"
          + " later grows the volume (live when the machine runs); shrinking is refused.")
  @Pattern(Quantities.SIZE_PATTERN)
  @SchemaFrom(type = io.fabric8.kubernetes.api.model.Quantity.class)
  @JsonDeserialize(using = QuantityText.class)
  public String size;

  @JsonPropertyDescription("Format of a blank volume: qcow2 (thin, default) or raw.")
  @Pattern("^(qcow2|raw)$")
  public String format;

  @JsonPropertyDescription(
      "The KvmStoragePool this disk's volume lives in; the pool must allow this namespace."
          + " Absent: the default pool if the admin marked one, else the node's directory pool."
          + " On an rbd pool the disk is an RBD image (a copy-on-write clone of the image,"
          + " imported into the pool once); it is chosen when the volume is made and never moves.")
  @Pattern("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")
  public String storage;

  @JsonPropertyDescription(
      "Whether the disk holds nothing that must outlive its node (a scratch disk, or a root disk"
          + " whose data lives elsewhere). A machine with spec.failover.policy Restart may keep a"
          + " disposable disk in a node's directory pool: on the node it fails over to, the disk"
          + " is made anew from its image (or blank), and what was written to it is lost."
          + " Default false.")
  public Boolean disposable;

  /** Whether the disk may be made anew on another node (spec.disks[].disposable). */
  public boolean disposable() {
    return Boolean.TRUE.equals(disposable);
  }

  @JsonPropertyDescription("virtio (default, vdX in the guest), sata or scsi (sdX).")
  @Default("virtio")
  @Pattern("^(virtio|sata|scsi)$")
  public String bus = "virtio";

  @JsonPropertyDescription(
      "On machine deletion: Delete (default) removes this disk's volume; Retain keeps it and"
          + " an event says where. Base images are never deleted with a machine.")
  @Default("Delete")
  @Pattern("^(Delete|Retain)$")
  public String reclaimPolicy = "Delete";

  public DiskSpec() {}

  public boolean retain() {
    return "Retain".equals(reclaimPolicy);
  }

  public String busOrDefault() {
    return bus == null ? "virtio" : bus;
  }
}
