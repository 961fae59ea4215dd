package io.kvmop.host;

import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The host checks with libvirt's answer included, cached for a short while: the KvmHost status and
 * every machine's virtType decision read the same verdict.
 */
public final class HostInspector implements KvmVerdict {
  private final HostFiles files;
  private final LibvirtPort libvirt;
  private final Clock clock;
  private final Duration maxAge;
  private List<HostCheck> cached;
  private Instant at = Instant.EPOCH;

  public HostInspector(HostFiles files, LibvirtPort libvirt, Clock clock, Duration maxAge) {
    this.files = files;
    this.libvirt = libvirt;
    this.clock = clock;
    this.maxAge = maxAge;
  }

  public synchronized List<HostCheck> checks() {
    Instant now = clock.instant();
    if (cached == null || Duration.between(at, now).compareTo(maxAge) >= 0) {
      HostSnapshot s = files.read();
      String domcaps;
      try {
        domcaps = libvirt.host().domainCapabilitiesError("kvm").orElse(null);
      } catch (LibvirtError e) {
        domcaps = e.code() + ": " + e.libvirtMessage();
      }
      cached =
          HostChecks.evaluate(
              new HostSnapshot(
                  s.cpuinfo(),
                  s.modules(),
                  s.devKvm(),
                  s.vhostNet(),
                  s.nested(),
                  s.qemuUserGroups(),
                  domcaps));
      at = now;
    }
    return cached;
  }

  @Override
  public Optional<HostCheck> kvmFailure() {
    return HostChecks.kvmFailure(checks());
  }
}
