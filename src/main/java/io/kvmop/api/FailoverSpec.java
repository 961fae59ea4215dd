package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** What kvmop does with a machine when its node dies: leave it, or restart it on another node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailoverSpec {
  @JsonPropertyDescription(
      "None (the default): the machine waits for its node to come back. Restart: once the node's"
          + " kvmop agent has not renewed its node Lease for the Lease's duration plus `after`,"
          + " the machine's old writers are cut off from its RBD images (Ceph blocklist) and it"
          + " is started on another node that fits (nodeSelector and capacity hold). Needs every"
          + " disk on an rbd KvmStoragePool and no spec.nodeName.")
  @Default("None")
  @Pattern("^(None|Restart)$")
  public String policy = "None";

  @JsonPropertyDescription(
      "How long a node's agent must have been silent past its Lease's expiry before its machines"
          + " restart elsewhere: at least 10s (a cut-off agent stops its Restart machines within"
          + " 12s of its last renewal); default 60s.")
  @Default("60s")
  @Pattern(Quantities.DURATION_PATTERN)
  public String after = "60s";

  public FailoverSpec() {}

  public boolean restart() {
    return "Restart".equals(policy);
  }
}
