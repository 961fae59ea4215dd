package io.kvmop.libvirt;

import io.kvmop.libvirt.Operation.Step;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.libvirt.xml.XmlCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.libvirt.TypedParameter;
import org.libvirt.TypedStringParameter;
import org.libvirt.TypedUlongParameter;

/** {@link MigrationPort} over libvirt-java and JNA, sharing {@link JnaLibvirt}'s connection. */
final class JnaMigrations implements MigrationPort {
  static final int VIR_MIGRATE_LIVE = 1;
  static final int VIR_MIGRATE_PEER2PEER = 2;
  static final int VIR_MIGRATE_PERSIST_DEST = 8;
  static final int VIR_MIGRATE_UNDEFINE_SOURCE = 16;
  static final int VIR_MIGRATE_NON_SHARED_INC = 128;
  static final int VIR_MIGRATE_ABORT_ON_ERROR = 4096;
  static final int VIR_MIGRATE_POSTCOPY = 32768;

  /** virDomainJobType: none, bounded, unbounded, completed, failed, cancelled. */
  private static final int VIR_DOMAIN_JOB_NONE = 0;

  private static final int VIR_DOMAIN_JOB_COMPLETED = 3;

  private final LibvirtCalls calls;

  JnaMigrations(LibvirtCalls calls) {
    this.calls = calls;
  }

  /**
   * The flags kvmop migrates with: live, peer to peer, moved whole; with {@code copyDisks} the
   * local disks' top layers are copied (their bases are on the target already).
   */
  static int flags(Request r, boolean copyDisks) {
    int f =
        VIR_MIGRATE_LIVE
            | VIR_MIGRATE_PEER2PEER
            | VIR_MIGRATE_PERSIST_DEST
            | VIR_MIGRATE_UNDEFINE_SOURCE
            | VIR_MIGRATE_ABORT_ON_ERROR;
    if (copyDisks) {
      f |= VIR_MIGRATE_NON_SHARED_INC;
    }
    return r.postcopy() ? f | VIR_MIGRATE_POSTCOPY : f;
  }

  /**
   * The targets of the disks a migration copies: the writable local files. A network disk (an RBD
   * image) is the same on both nodes and is never copied: mirroring it onto itself while the guest
   * writes would corrupt it. A read-only one (a seed) the target prepares itself.
   */
  static List<String> copiedDisks(DomainXml domain) {
    if (domain == null || domain.devices() == null || domain.devices().disks() == null) {
      return List.of();
    }
    return domain.devices().disks().stream()
        .filter(d -> d.readonly() == null)
        .filter(d -> d.source() != null && d.source().file() != null)
        .filter(d -> d.target() != null && d.target().dev() != null)
        .map(d -> d.target().dev())
        .toList();
  }

  @Override
  public void migrate(String domain, Request r) {
    List<TypedParameter> params = new ArrayList<>();
    if (r.streamAddress() != null) {
      params.add(new TypedStringParameter("migrate_uri", "tcp://" + bracket(r.streamAddress())));
    }
    if (r.bandwidthMiBs() > 0) {
      params.add(new TypedUlongParameter("bandwidth", r.bandwidthMiBs()));
    }
    // once: a retry on a new connection would start a second migration of the same domain
    calls.callOnce(
        Operation.MIGRATE_DOMAIN.on(domain),
        c -> {
          org.libvirt.Domain d = c.domainLookupByName(domain);
          try {
            List<String> copied = copiedDisks(XmlCodec.read(d.getXMLDesc(0), DomainXml.class));
            List<TypedParameter> all = new ArrayList<>(params);
            // named, so that libvirt copies these and no other (its default copies network disks)
            copied.forEach(t -> all.add(new TypedStringParameter("migrate_disks", t)));
            d.migrateToURI(
                r.destinationUri(),
                all.toArray(new TypedParameter[0]),
                flags(r, !copied.isEmpty()));
          } finally {
            d.free();
          }
          return null;
        });
  }

  private static String bracket(String address) {
    return address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
  }

  @Override
  public Optional<JobProgress> progress(String domain) {
    return calls.call(
        Operation.READ_JOB.as("read job of domain " + domain),
        c -> {
          org.libvirt.Domain d = c.domainLookupByName(domain);
          try {
            org.libvirt.DomainJobStats s = d.getJobStats(0);
            if (s.type == VIR_DOMAIN_JOB_NONE || s.type > VIR_DOMAIN_JOB_COMPLETED) {
              return Optional.<JobProgress>empty();
            }
            return Optional.of(of(s.stats));
          } finally {
            d.free();
          }
        });
  }

  /** The figures kvmop shows, from libvirt's typed parameters (absent ones are 0). */
  static JobProgress of(TypedParameter[] stats) {
    Map<String, String> v = new HashMap<>();
    for (TypedParameter p : stats == null ? new TypedParameter[0] : stats) {
      v.put(p.field, p.getValueAsString());
    }
    long pageSize = number(v, "memory_page_size", 4096);
    return new JobProgress(
        number(v, "time_elapsed", 0),
        number(v, "data_total", 0),
        number(v, "data_processed", 0),
        number(v, "data_remaining", 0),
        number(v, "memory_dirty_rate", 0) * pageSize,
        number(v, "memory_iteration", 0),
        number(v, "downtime", 0));
  }

  private static long number(Map<String, String> v, String key, long dflt) {
    try {
      return v.containsKey(key) ? Long.parseLong(v.get(key)) : dflt;
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  @Override
  public void abort(String domain) {
    calls.onDomain(
        Operation.ABORT_JOB.as("abort job of domain " + domain), domain, d -> d.abortJob());
  }

  @Override
  public void startPostcopy(String domain) {
    Step operation = Operation.START_POST_COPY.as("start post-copy of domain " + domain);
    calls.onNativeDomain(
        operation,
        domain,
        dom -> {
          if (NativeLibvirt.INSTANCE.virDomainMigrateStartPostCopy(dom, 0) < 0) {
            throw LibvirtCalls.lastError(operation.text());
          }
          return null;
        });
  }
}
