package io.kvmop.snapshot;

import io.kvmop.api.KvmMachineSnapshot;
import io.kvmop.api.KvmMachineSnapshotStatus;
import io.kvmop.api.SnapshotDisk;
import io.kvmop.api.SnapshotPhase;
import io.kvmop.libvirt.SnapshotState;
import io.kvmop.status.Conditions;
import io.kvmop.status.Progress;
import io.kvmop.status.Reasons;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** The status of a KvmMachineSnapshot in each of its phases, conditions the kstatus way. */
final class SnapshotStatusBuilder {
  private final KvmMachineSnapshot s;
  private final Instant now;

  SnapshotStatusBuilder(KvmMachineSnapshot s, Instant now) {
    this.s = s;
    this.now = now;
  }

  private KvmMachineSnapshotStatus base(
      SnapshotPhase phase, boolean ready, String reason, String msg) {
    KvmMachineSnapshotStatus prev = s.getStatus();
    KvmMachineSnapshotStatus st = new KvmMachineSnapshotStatus();
    if (prev != null) {
      st.nodeName = prev.nodeName;
      st.domain = prev.domain;
      st.machineUid = prev.machineUid;
      st.libvirtName = prev.libvirtName;
      st.creationTime = prev.creationTime;
      st.machineState = prev.machineState;
      st.memory = prev.memory;
      st.filesystemsFrozen = prev.filesystemsFrozen;
      st.filesystemsMessage = prev.filesystemsMessage;
      st.disks = prev.disks;
      st.sizeBytes = prev.sizeBytes;
    }
    st.observedGeneration = s.getMetadata().getGeneration();
    st.phase = phase;
    Conditions c =
        new Conditions(prev == null ? null : prev.conditions, st.observedGeneration, now);
    c.set(Conditions.READY, ready, reason, msg);
    Progress.fromReady(c);
    st.conditions = c.build();
    return st;
  }

  KvmMachineSnapshotStatus pending(String reason, String message) {
    return base(SnapshotPhase.Pending, false, reason, message);
  }

  KvmMachineSnapshotStatus failed(String reason, String message) {
    return base(
        SnapshotPhase.Failed,
        false,
        reason,
        message + " (a snapshot is taken once: delete this one)");
  }

  KvmMachineSnapshotStatus lost(String message) {
    return base(SnapshotPhase.Lost, false, Reasons.SNAPSHOT_LOST, message);
  }

  /** The previous status as it was (a Failed one stays so). */
  KvmMachineSnapshotStatus same() {
    KvmMachineSnapshotStatus prev = s.getStatus();
    var ready = Conditions.find(prev.conditions, Conditions.READY);
    return base(
        prev.phase,
        false,
        ready.map(c -> c.getReason()).orElse(Reasons.SNAPSHOT_UNSUPPORTED),
        ready.map(c -> c.getMessage()).orElse(""));
  }

  KvmMachineSnapshotStatus stillReady() {
    var ready = Conditions.find(s.getStatus().conditions, Conditions.READY);
    return base(
        SnapshotPhase.Ready,
        true,
        Reasons.SNAPSHOT_TAKEN,
        ready.map(c -> c.getMessage()).orElse("taken; can be restored and cloned from"));
  }

  KvmMachineSnapshotStatus ready(
      String node,
      String domain,
      String machineUid,
      SnapshotState taken,
      boolean memory,
      Boolean frozen,
      String frozenWhy,
      List<SnapshotDisk> disks) {
    KvmMachineSnapshotStatus st =
        base(
            SnapshotPhase.Ready,
            true,
            Reasons.SNAPSHOT_TAKEN,
            "taken on "
                + node
                + (memory ? " with the guest's memory" : "")
                + "; restore it with a KvmMachineRestore, or clone it with a disk's"
                + " snapshot source");
    st.nodeName = node;
    st.domain = domain;
    st.machineUid = machineUid;
    st.libvirtName = taken.name();
    st.creationTime = SnapshotKeeper.time(taken.createdEpochSecond());
    st.machineState =
        switch (taken.state() == null ? "" : taken.state()) {
          case "running" -> "Running";
          case "paused" -> "Paused";
          default -> "Stopped";
        };
    st.memory = memory;
    st.filesystemsFrozen = frozen;
    st.filesystemsMessage = frozenWhy;
    st.disks = disks;
    st.sizeBytes =
        disks.stream()
            .map(d -> d.capacityBytes)
            .filter(Objects::nonNull)
            .mapToLong(Long::longValue)
            .sum();
    return st;
  }
}
