package io.kvmop.libvirt;

import java.util.Optional;

/**
 * libvirt's live migration of a running domain to another node's libvirtd, peer to peer: this
 * node's libvirtd connects to the destination's, copies the local disks over NBD (only the top
 * layer of a qcow2 overlay: the destination holds the same base), then memory, defines the domain
 * there and undefines it here. Every method throws {@link LibvirtError} with libvirt's error code.
 */
public interface MigrationPort {

  /**
   * What to migrate where.
   *
   * @param destinationUri the destination libvirtd, as this node's libvirtd reaches it (e.g.
   *     qemu+tls://node-b/system)
   * @param streamAddress where the destination QEMU listens for the memory and disk streams (an
   *     address or host name of the destination), or null for libvirt's choice (the destination's
   *     host name)
   * @param postcopy allow switching to post-copy ({@link #startPostcopy}) while it runs
   * @param bandwidthMiBs the most it may send per second, MiB; 0 for no limit
   */
  record Request(
      String destinationUri, String streamAddress, boolean postcopy, long bandwidthMiBs) {}

  /**
   * Migrates the running domain live and returns once it runs on the destination and is gone here;
   * blocks for as long as that takes. On failure the domain still runs here (libvirt rolls back).
   */
  void migrate(String domain, Request request);

  /** The domain's migration in progress, as libvirt reports it; empty when no job runs. */
  Optional<JobProgress> progress(String domain);

  /** Cancels the domain's migration in progress; the domain keeps running here. */
  void abort(String domain);

  /**
   * Switches the migration in progress to post-copy: the guest runs on the destination at once and
   * fetches the memory it has not got yet from here. Needs {@link Request#postcopy}.
   */
  void startPostcopy(String domain);

  /**
   * A migration job's figures (virDomainGetJobStats).
   *
   * @param elapsedMillis since the job started
   * @param dataTotal bytes to send in all (memory and disks), as known now
   * @param dataProcessed bytes sent
   * @param dataRemaining bytes still to send
   * @param memoryDirtyRate bytes of guest memory dirtied per second
   * @param iteration how many passes over the memory so far
   * @param downtimeMillis the guest's expected (while running) or actual (when done) pause
   */
  record JobProgress(
      long elapsedMillis,
      long dataTotal,
      long dataProcessed,
      long dataRemaining,
      long memoryDirtyRate,
      long iteration,
      long downtimeMillis) {}
}
