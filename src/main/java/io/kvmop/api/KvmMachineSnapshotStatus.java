package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What was taken, where, and whether it is there to restore or clone from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KvmMachineSnapshotStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "Pending (waiting for the machine or its node), Ready (taken; can be restored and cloned"
          + " from), Failed (not taken; see conditions) or Lost (its machine and the data in its"
          + " volumes are gone).")
  public SnapshotPhase phase;

  @JsonPropertyDescription(
      "Ready, with a reason and message saying what to do when it is False; Reconciling and"
          + " Stalled as kstatus reads them.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The node holding the snapshot (the machine's node when it was taken).")
  public String nodeName;

  @JsonPropertyDescription("The machine's libvirt domain, and the uid of the machine taken.")
  public String domain;

  public String machineUid;

  @JsonPropertyDescription("The snapshot's name in libvirt (virsh snapshot-list DOMAIN).")
  public String libvirtName;

  @JsonPropertyDescription("When it was taken (RFC 3339).")
  public String creationTime;

  @JsonPropertyDescription("The machine's state when it was taken: Running, Paused or Stopped.")
  public String machineState;

  @JsonPropertyDescription("Whether the guest's memory is kept (a restore resumes the guest).")
  public Boolean memory;

  @JsonPropertyDescription(
      "Whether the guest agent froze the guest's filesystems while it was taken; false with"
          + " the reason in filesystemsMessage when no agent answered (then the disks are as"
          + " after a power cut, which journaling filesystems recover from).")
  public Boolean filesystemsFrozen;

  public String filesystemsMessage;

  @JsonPropertyDescription("The disks it holds, with their virtual sizes.")
  public List<SnapshotDisk> disks = new ArrayList<>();

  @JsonPropertyDescription("The sum of the disks' virtual sizes in bytes.")
  public Long sizeBytes;
}
