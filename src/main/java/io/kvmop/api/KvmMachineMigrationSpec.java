package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** Which machine to move, where to, and what to do when it does not converge in time. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self == oldSelf", message = "a migration's spec cannot change")
public class KvmMachineMigrationSpec {
  @JsonPropertyDescription("The running KvmMachine to move, in this namespace.")
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  public String machine;

  @JsonPropertyDescription(
      "The node to move it to (a KvmHost's name). Without it, the node is chosen by the rules that"
          + " place new machines (nodeSelector, capacity, cordons), among the other nodes that"
          + " accept migrations.")
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  public String targetNode;

  @JsonPropertyDescription(
      "How long the copy may run before onTimeout applies, e.g. 90s, 10m (default 10m).")
  @Default("10m")
  @Pattern("^[0-9]+(ms|s|m|h)$")
  public String timeout = "10m";

  @JsonPropertyDescription(
      "When the timeout passes: Abort (default: the migration is cancelled, the machine keeps"
          + " running where it was), Pause (the guest is paused so that its memory stops changing"
          + " and the copy completes; it runs again on the target) or Postcopy (the guest runs on"
          + " the target at once and fetches the rest of its memory from the source: fastest to"
          + " converge, but the guest is lost if either node fails before it ends).")
  @Default("Abort")
  public OnTimeout onTimeout = OnTimeout.Abort;

  @JsonPropertyDescription(
      "The most the copy may send per second, MiB; without it, as fast as the link allows.")
  @Min(1)
  @Max(1048576)
  public Integer bandwidthMiB;

  /** What happens when a migration's timeout passes. */
  public enum OnTimeout {
    Abort,
    Pause,
    Postcopy
  }

  public OnTimeout onTimeoutOrDefault() {
    return onTimeout == null ? OnTimeout.Abort : onTimeout;
  }
}
