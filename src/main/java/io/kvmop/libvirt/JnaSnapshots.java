package io.kvmop.libvirt;

import io.kvmop.libvirt.Operation.Step;
import io.kvmop.libvirt.xml.SnapshotXml;
import io.kvmop.libvirt.xml.XmlCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.libvirt.DomainSnapshot;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/** {@link SnapshotPort} over libvirt-java and JNA, sharing {@link JnaLibvirt}'s connection. */
final class JnaSnapshots implements SnapshotPort {
  /** All of it is taken, or nothing is. */
  private static final int CREATE_ATOMIC = 128;

  private final LibvirtCalls calls;

  JnaSnapshots(LibvirtCalls calls) {
    this.calls = calls;
  }

  @Override
  public List<SnapshotState> listSnapshots(String domain) {
    return calls.call(
        Operation.LIST_SNAPSHOTS.as("list snapshots of " + domain),
        c -> {
          org.libvirt.Domain d = c.domainLookupByName(domain);
          try {
            List<SnapshotState> out = new ArrayList<>();
            for (String name : d.snapshotListNames()) {
              read(d, name).ifPresent(out::add);
            }
            return out;
          } finally {
            d.free();
          }
        });
  }

  @Override
  public Optional<SnapshotState> findSnapshot(String domain, String name) {
    return calls.call(
        Operation.LOOK_UP_SNAPSHOT.as("look up snapshot " + name + " of " + domain),
        c -> {
          org.libvirt.Domain d;
          try {
            d = c.domainLookupByName(domain);
          } catch (LibvirtException e) {
            if (is(e, ErrorNumber.VIR_ERR_NO_DOMAIN)) {
              return Optional.empty();
            }
            throw e;
          }
          try {
            return read(d, name);
          } finally {
            d.free();
          }
        });
  }

  private static Optional<SnapshotState> read(org.libvirt.Domain d, String name)
      throws LibvirtException {
    DomainSnapshot s;
    try {
      s = d.snapshotLookupByName(name);
    } catch (LibvirtException e) {
      if (is(e, ErrorNumber.VIR_ERR_NO_DOMAIN_SNAPSHOT)) {
        return Optional.empty(); // deleted between the listing and this look-up
      }
      throw e;
    }
    try {
      SnapshotXml x = XmlCodec.read(s.getXMLDesc(), SnapshotXml.class);
      return Optional.of(
          new SnapshotState(
              x.name(),
              x.description(),
              x.state(),
              x.creationTime() == null ? 0 : x.creationTime(),
              x.keepsMemory()));
    } finally {
      s.free();
    }
  }

  @Override
  public void createSnapshot(String domain, SnapshotXml xml) {
    calls.onDomain(
        Operation.CREATE_SNAPSHOT.as("create snapshot " + xml.name() + " of " + domain),
        domain,
        d -> d.snapshotCreateXML(XmlCodec.write(xml), CREATE_ATOMIC).free());
  }

  @Override
  public void revertToSnapshot(String domain, String name, Then then) {
    Step operation = Operation.REVERT_DOMAIN.as("revert domain " + domain + " to snapshot " + name);
    calls.onNativeDomain(
        operation,
        domain,
        dom -> {
          NativeLibvirt lib = NativeLibvirt.INSTANCE;
          var snap = lib.virDomainSnapshotLookupByName(dom, name, 0);
          if (snap == null) {
            throw LibvirtCalls.lastError(operation.text());
          }
          try {
            int flags =
                switch (then) {
                  case AS_TAKEN -> 0;
                  case RUN -> NativeLibvirt.VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING;
                  case PAUSE -> NativeLibvirt.VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED;
                };
            if (lib.virDomainRevertToSnapshot(snap, flags) < 0) {
              throw LibvirtCalls.lastError(operation.text());
            }
            return null;
          } finally {
            lib.virDomainSnapshotFree(snap);
          }
        });
  }

  @Override
  public void deleteSnapshot(String domain, String name) {
    calls.onDomain(
        Operation.DELETE_SNAPSHOT.as("delete snapshot " + name + " of " + domain),
        domain,
        d -> {
          DomainSnapshot s = d.snapshotLookupByName(name);
          try {
            s.delete(0);
          } finally {
            s.free();
          }
        });
  }

  @Override
  public int freezeFilesystems(String domain) {
    return agentCall(
        Operation.FREEZE_FILESYSTEMS.as("freeze filesystems of " + domain), domain, true);
  }

  @Override
  public int thawFilesystems(String domain) {
    return agentCall(Operation.THAW_FILESYSTEMS.as("thaw filesystems of " + domain), domain, false);
  }

  private int agentCall(Step operation, String domain, boolean freeze) {
    return calls.onNativeDomain(
        operation,
        domain,
        dom -> {
          NativeLibvirt lib = NativeLibvirt.INSTANCE;
          int n =
              freeze
                  ? lib.virDomainFSFreeze(dom, null, 0, 0)
                  : lib.virDomainFSThaw(dom, null, 0, 0);
          if (n < 0) {
            throw LibvirtCalls.lastError(operation.text());
          }
          return n;
        });
  }

  private static boolean is(LibvirtException e, ErrorNumber code) {
    return e.getError() != null && e.getError().getCode() == code;
  }
}
