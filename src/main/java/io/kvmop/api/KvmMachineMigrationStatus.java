package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Where a migration has got: which nodes, how far the copy is, and how it ended. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KvmMachineMigrationStatus {
  @JsonPropertyDescription(
      "Pending (waiting for the machine to run), Preparing (the target node creates the disks,"
          + " checks networks and room), Prepared, Migrating (the copy runs; see progress),"
          + " Succeeded (the machine runs on the target node) or Failed (it runs where it was; see"
          + " the Ready condition).")
  public MigrationPhase phase;

  @JsonPropertyDescription(
      "Ready: True once the machine runs on the target; False with the reason and what to do.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The node the machine runs on when the migration started.")
  public String sourceNode;

  @JsonPropertyDescription("The node it moves to.")
  public String targetNode;

  @JsonPropertyDescription("The uid of the machine moved (a new machine of the same name is not).")
  public String machineUid;

  @JsonPropertyDescription("The machine's libvirt domain.")
  public String domain;

  @JsonPropertyDescription("The volumes and files the target node created for the machine.")
  public List<String> preparedFiles;

  @JsonPropertyDescription(
      "What moves besides memory. Copied: the local disks' top layers are copied to the target"
          + " (onto the same bases). MemoryOnly: no disk is copied, every disk being on shared"
          + " storage (an rbd KvmStoragePool, the same image on both nodes: sharedDisks) or a"
          + " read-only seed the target makes itself.")
  public String storage;

  @JsonPropertyDescription(
      "The disks (by target, e.g. vda) on shared storage, which the migration never copies.")
  public List<String> sharedDisks;

  @JsonPropertyDescription("When the copy started and ended (RFC 3339).")
  public String startTime;

  public String completionTime;

  @JsonPropertyDescription("How many times the copy was started (again after an agent restart).")
  public Integer attempts;

  @JsonPropertyDescription(
      "Pause or Postcopy when onTimeout applied; the guest was paused, or switched to post-copy.")
  public String fallback;

  @JsonPropertyDescription("The target node's libvirt has the domain (seen by its agent).")
  public Boolean targetConfirmed;

  @JsonPropertyDescription("The source node's copies of the disks, seed and serial log are gone.")
  public Boolean sourceCleaned;

  @JsonPropertyDescription(
      "After a failure: the target node gave back the room it held and discarded what it"
          + " prepared.")
  public Boolean targetCleaned;

  @JsonPropertyDescription("The copy as libvirt reports it, while it runs and when it ended.")
  public Progress progress;

  /** libvirt's migration job figures. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Progress {
    @JsonPropertyDescription("Bytes to send in all, memory and disks, as known now.")
    public Long dataTotalBytes;

    @JsonPropertyDescription("Bytes sent.")
    public Long dataProcessedBytes;

    @JsonPropertyDescription("Bytes still to send, human readable (e.g. 12.5Mi).")
    public String dataRemaining;

    public Long dataRemainingBytes;

    @JsonPropertyDescription("Guest memory dirtied per second, bytes.")
    public Long memoryDirtyRateBytes;

    @JsonPropertyDescription("Passes over the guest's memory so far.")
    public Long iteration;

    @JsonPropertyDescription(
        "The guest's pause at the switch-over, milliseconds: expected while it runs, actual"
            + " when done.")
    public Long downtimeMillis;

    @JsonPropertyDescription("Milliseconds since the copy started.")
    public Long elapsedMillis;

    @JsonPropertyDescription("precopy, postcopy or paused.")
    public String mode;
  }
}
