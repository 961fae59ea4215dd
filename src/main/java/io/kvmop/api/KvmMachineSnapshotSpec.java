package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** Which machine to snapshot, and whether its memory is kept. A snapshot never changes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self == oldSelf", message = "a snapshot's spec cannot change")
public class KvmMachineSnapshotSpec {
  @JsonPropertyDescription("The KvmMachine to snapshot, in this namespace.")
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  public String machine;

  @JsonPropertyDescription(
      "Keep the running guest's memory too: a restore then resumes the guest where it was, with"
          + " no boot. Without it (default), a restore boots the guest from the disks as they"
          + " were; the guest agent, when connected, freezes the filesystems while the snapshot"
          + " is taken so that they are consistent. A stopped machine has no memory to keep.")
  @Default("false")
  public Boolean memory = false;

  public KvmMachineSnapshotSpec() {}

  public boolean keepMemory() {
    return Boolean.TRUE.equals(memory);
  }
}
