package io.kvmop.testing;

import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.MigrationPort;
import io.kvmop.libvirt.Operation;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Live migration between {@link FakeLibvirt}s: a destination is another fake registered under its
 * URI; the domain moves there whole when the migration is let go ({@link #release}), or fails with
 * libvirt's error when the destination refuses or the job is aborted.
 */
public final class FakeMigrations implements MigrationPort {
  /** Every fake reachable by migration, by the URI its KvmHost would publish. */
  public static final Map<String, FakeLibvirt> DESTINATIONS = new ConcurrentHashMap<>();

  private final FakeLibvirt libvirt;
  private final Map<String, CountDownLatch> held = new ConcurrentHashMap<>();
  private final Map<String, String> aborted = new ConcurrentHashMap<>();
  private volatile boolean holding;
  public volatile MigrationPort.Request last;

  FakeMigrations(FakeLibvirt libvirt) {
    this.libvirt = libvirt;
  }

  /** From now on each migration waits in its copy until {@link #release}d (or aborted). */
  public void hold() {
    holding = true;
  }

  public void release() {
    holding = false;
    held.values().forEach(CountDownLatch::countDown);
  }

  @Override
  public void migrate(String domain, Request r) {
    libvirt.record(Operation.MIGRATE_DOMAIN.on(domain));
    last = r;
    DomainState d = libvirt.domains().findDomain(domain).orElseThrow(() -> notFound(domain));
    FakeLibvirt to = DESTINATIONS.get(r.destinationUri());
    if (to == null || to == libvirt) {
      throw new LibvirtError(
          "migrate domain " + domain,
          "VIR_ERR_OPERATION_FAILED",
          "",
          "unable to connect to " + r.destinationUri());
    }
    if (holding) {
      CountDownLatch latch = held.computeIfAbsent(domain, k -> new CountDownLatch(1));
      try {
        latch.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      held.remove(domain);
    }
    if (aborted.remove(domain) != null) {
      throw new LibvirtError(
          "migrate domain " + domain, "VIR_ERR_OPERATION_ABORTED", "", "operation aborted");
    }
    to.arrive(d);
    libvirt.leave(domain);
  }

  @Override
  public Optional<JobProgress> progress(String domain) {
    libvirt.record(Operation.READ_JOB.as("read job of domain " + domain));
    return held.containsKey(domain)
        ? Optional.of(new JobProgress(1000, 200L << 20, 100L << 20, 100L << 20, 1L << 20, 2, 30))
        : Optional.empty();
  }

  @Override
  public void abort(String domain) {
    libvirt.record(Operation.ABORT_JOB.as("abort job of domain " + domain));
    CountDownLatch latch = held.get(domain);
    if (latch == null) {
      throw new LibvirtError(
          "abort job of domain " + domain, "VIR_ERR_OPERATION_INVALID", "", "no job is active");
    }
    aborted.put(domain, domain);
    latch.countDown();
  }

  @Override
  public void startPostcopy(String domain) {
    libvirt.record(Operation.START_POST_COPY.as("start post-copy of domain " + domain));
  }

  private static LibvirtError notFound(String domain) {
    return new LibvirtError(
        "migrate domain " + domain, "VIR_ERR_NO_DOMAIN", "", "Domain not found: " + domain);
  }
}
