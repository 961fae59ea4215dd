package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** How the restore went. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KvmMachineRestoreStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "Pending (waiting for the snapshot to be Ready), Succeeded or Failed (see"
          + " conditions; nothing was changed).")
  public RestorePhase phase;

  @JsonPropertyDescription("Ready (True once Succeeded), Reconciling and Stalled.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The node the machine was restored on.")
  public String nodeName;

  @JsonPropertyDescription(
      "How the machine came back: Resumed (its memory was in the snapshot), Booted (started"
          + " from the restored disks) or Stopped (restored disks, left stopped as declared).")
  public String outcome;

  @JsonPropertyDescription("When the restore started and finished (RFC 3339).")
  public String startTime;

  public String completionTime;
}
