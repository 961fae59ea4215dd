package io.kvmop.migration;

import io.kvmop.libvirt.DomainLocks;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtCode;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.MigrationPort;
import io.kvmop.machine.MachinePlanner;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The source node's side of live migrations: each runs libvirt's blocking migrate call on a thread
 * of its own, and is looked at (progress, outcome) without waiting. What one process started, a
 * restarted process finds again in libvirt: the domain still here with a job running, here without
 * one, or gone.
 */
public final class MigrationRunner {
  /** Where a domain's migration stands, as seen from its source node. */
  public enum State {
    /** libvirt copies it now. */
    COPYING,
    /** libvirt's migrate call returned: the domain runs on the target and is gone here. */
    DONE,
    /** libvirt's migrate call failed: the domain still runs here. */
    FAILED,
    /** No migration runs, and the domain is here. */
    IDLE,
    /** No migration runs, and the domain is not here (a migration ended while no agent ran). */
    GONE
  }

  public record Look(
      State state, Optional<MigrationPort.JobProgress> progress, LibvirtError error) {}

  private final LibvirtPort libvirt;
  private final DomainLocks locks;
  private final Map<String, CompletableFuture<Void>> runs = new ConcurrentHashMap<>();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "kvmop-migration");
            t.setDaemon(true);
            return t;
          });

  public MigrationRunner(LibvirtPort libvirt, DomainLocks locks) {
    this.libvirt = libvirt;
    this.locks = locks;
  }

  /**
   * Starts migrating the domain unless this process already does. The domain is marked leaving
   * first (once the machine's pass in flight, if any, is done), so that no pass touches it again.
   */
  public void start(String domain, MigrationPort.Request request) {
    runs.computeIfAbsent(
        domain,
        d ->
            CompletableFuture.runAsync(
                () -> {
                  locks.leave(d);
                  libvirt.migrations().migrate(d, request);
                },
                threads));
  }

  /** The domain's migration as it stands, in this process or (after a restart) in libvirt. */
  public Look look(String domain, String uid) {
    CompletableFuture<Void> run = runs.get(domain);
    if (run != null && !run.isDone()) {
      return new Look(State.COPYING, progress(domain), null);
    }
    if (run != null) {
      try {
        run.join();
        return new Look(State.DONE, Optional.empty(), null);
      } catch (CompletionException e) {
        LibvirtError err =
            e.getCause() instanceof LibvirtError l
                ? l
                : new LibvirtError(
                    "migrate domain " + domain,
                    LibvirtCode.INTERNAL_ERROR.libvirtName(),
                    "",
                    e.getCause() + "");
        return new Look(State.FAILED, Optional.empty(), err);
      }
    }
    Optional<DomainState> here = libvirt.domains().findDomain(domain);
    if (here.isEmpty() || !MachinePlanner.owns(here.get(), uid)) {
      return new Look(State.GONE, Optional.empty(), null);
    }
    Optional<MigrationPort.JobProgress> job = progress(domain);
    return new Look(job.isPresent() ? State.COPYING : State.IDLE, job, null);
  }

  private Optional<MigrationPort.JobProgress> progress(String domain) {
    try {
      return libvirt.migrations().progress(domain);
    } catch (LibvirtError e) {
      return Optional.empty(); // between its last pass and its end: no figures to show
    }
  }

  /**
   * This process is done with the domain's migration. When the domain stays here (the migration
   * failed), its machine's passes may touch it again.
   */
  public void finished(String domain, boolean stays) {
    runs.remove(domain);
    if (stays) {
      locks.stay(domain);
    }
  }

  public void abort(String domain) {
    libvirt.migrations().abort(domain);
  }

  /** onTimeout Pause: the guest stops changing its memory, so the copy completes. */
  public void pause(String domain) {
    libvirt.domains().suspendDomain(domain);
  }

  public void postcopy(String domain) {
    libvirt.migrations().startPostcopy(domain);
  }
}
