package io.kvmop.machine;

import io.kvmop.libvirt.DhcpLease;
import io.kvmop.libvirt.LibvirtPort;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The DHCP leases of each libvirt network, read once for every machine that looks at them. While
 * the agent sees dnsmasq write leases (its lease watch), a network's list is kept until a lease is
 * written on any network, and never longer than {@link #KEEP_NANOS}; without the watch every read
 * goes to libvirt. A thousand machines booting on one network then cost a read per new lease, not a
 * read of the whole list per machine and pass.
 */
public final class NetworkLeases {
  /** The longest a list is kept even with no lease written: a guard against a lost file event. */
  static final long KEEP_NANOS = 5_000_000_000L;

  private final LibvirtPort libvirt;
  private final LongSupplier nanos;
  private final AtomicLong written = new AtomicLong();
  private final Map<String, Kept> kept = new ConcurrentHashMap<>();
  private volatile boolean watched;

  private record Kept(long written, long readAt, Optional<List<DhcpLease>> leases) {}

  NetworkLeases(LibvirtPort libvirt, LongSupplier nanos) {
    this.libvirt = libvirt;
    this.nanos = nanos;
  }

  /**
   * The agent's lease watch started ({@code true}) or ended: while it runs, new leases are seen as
   * dnsmasq writes them, and machines wait for their addresses without a poll.
   */
  public void watching(boolean on) {
    this.watched = on;
  }

  boolean watched() {
    return watched;
  }

  /** dnsmasq wrote a lease: every list read before now is out of date. */
  public void written() {
    written.incrementAndGet();
  }

  /** The network's leases (empty: the network is not there). */
  Optional<List<DhcpLease>> of(String network) {
    if (!watched()) {
      return libvirt.networks().dhcpLeases(network);
    }
    long w = written.get(); // read before the list: a lease written meanwhile makes it outdated
    long now = nanos.getAsLong();
    Kept k = kept.get(network);
    if (k != null && k.written() == w && now - k.readAt() < KEEP_NANOS) {
      return k.leases();
    }
    Optional<List<DhcpLease>> leases = libvirt.networks().dhcpLeases(network);
    kept.put(network, new Kept(w, now, leases));
    return leases;
  }
}
