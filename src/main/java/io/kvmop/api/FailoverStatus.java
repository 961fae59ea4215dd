package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** The machine's last failover: from which node, why, what was cut off before it moved. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailoverStatus {
  @JsonPropertyDescription("The node it ran on, whose agent went silent.")
  public String fromNode;

  @JsonPropertyDescription("Why: the node Lease and when it was last renewed.")
  public String reason;

  @JsonPropertyDescription("When kvmop took it off that node (RFC 3339).")
  public String time;

  @JsonPropertyDescription("The agent that did it.")
  public String by;

  @JsonPropertyDescription(
      "The Ceph clients (address/nonce) blocklisted on its images before it could start"
          + " elsewhere: the old node's writers, cut off even if that node is only partitioned.")
  public List<String> fenced = new ArrayList<>();

  @JsonPropertyDescription("How many times the machine failed over so far.")
  public Integer count;

  public FailoverStatus() {}
}
