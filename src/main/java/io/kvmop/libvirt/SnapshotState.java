package io.kvmop.libvirt;

/**
 * One of a domain's snapshots as libvirt reports it.
 *
 * @param state the domain's state when it was taken: running, paused or shutoff
 * @param createdEpochSecond when it was taken
 * @param memory whether it holds the guest's memory (restoring it resumes the guest, no boot)
 */
public record SnapshotState(
    String name, String description, String state, long createdEpochSecond, boolean memory) {}
