package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** The machine and the snapshot of it to go back to. A restore is done once and never changes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self == oldSelf", message = "a restore's spec cannot change")
public class KvmMachineRestoreSpec {
  @JsonPropertyDescription("The KvmMachine to restore, in this namespace.")
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  public String machine;

  @JsonPropertyDescription("A Ready KvmMachineSnapshot of that machine, in this namespace.")
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  public String snapshot;

  public KvmMachineRestoreSpec() {}
}
