package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A disk of a KvmMachineSnapshot, as the starting content of a new machine's disk (a clone). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SnapshotSource {
  @JsonPropertyDescription(
      "A Ready KvmMachineSnapshot in this namespace. The machine runs on the snapshot's node.")
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  public String name;

  @JsonPropertyDescription(
      "Which of the snapshot's disks (its name in the snapshotted machine's spec.disks);"
          + " default: the same name as this disk.")
  @Pattern("^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")
  public String disk;

  public SnapshotSource() {}
}
