package io.kvmop.machine;

import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineStatus;
import io.kvmop.disk.DiskProvisioner;
import io.kvmop.libvirt.DomainLocks;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What this node does so that a machine that fails over never runs twice: self-fencing (an agent
 * that lost its node Lease destroys its Restart machines at once, before any other node may start
 * them) and, when the node is back, the removal of the stale domain of a machine that now runs
 * elsewhere: stopped if it still runs, undefined, its local files gone; never started, and never
 * its RBD images (they are the machine's, in use on its new node).
 */
public final class NodeFencing {
  private final String node;
  private final LibvirtPort libvirt;
  private final DomainLocks locks;
  private final DiskProvisioner disks;
  private final Function<KvmMachine, MachineNaming> naming;

  public NodeFencing(
      String node,
      LibvirtPort libvirt,
      DomainLocks locks,
      DiskProvisioner disks,
      Function<KvmMachine, MachineNaming> naming) {
    this.node = node;
    this.libvirt = libvirt;
    this.locks = locks;
    this.disks = disks;
    this.naming = naming;
  }

  /** Destroys the running domains of the Restart machines among {@code placedHere}; their names. */
  public List<String> fenceSelf(List<KvmMachine> placedHere) {
    List<String> fenced = new ArrayList<>();
    for (KvmMachine m : placedHere) {
      if (!io.kvmop.failover.FailoverRules.restarts(m.getSpec())
          || m.getMetadata().getUid() == null) {
        continue;
      }
      String domain = naming.apply(m).domainName();
      String uid = m.getMetadata().getUid();
      locks.fence(domain); // no pass starts it again here from now on
      try {
        if (destroyIfRunning(domain, uid)) {
          fenced.add(domain);
        }
        // a pass already under way when the mark was set may still start it: once it is done,
        // the domain is destroyed again
        locks.tryWith(domain, java.time.Duration.ofSeconds(3), () -> destroyIfRunning(domain, uid));
      } catch (LibvirtError e) {
        // libvirt down: QEMU is not stopped by us; the new node's storage fencing cuts it off
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return fenced;
  }

  private boolean destroyIfRunning(String domain, String uid) {
    Optional<DomainState> d = libvirt.domains().findDomain(domain);
    if (d.isPresent()
        && MachinePlanner.owns(d.get(), uid)
        && d.get().state() != DomainState.RunState.SHUTOFF) {
      libvirt.domains().destroyDomain(domain);
      return true;
    }
    return false;
  }

  /**
   * Whether {@code m} (the current object of a domain found here) failed over away from this node:
   * it runs, or is to run, elsewhere.
   */
  public boolean movedAway(KvmMachine m) {
    KvmMachineStatus s = m.getStatus();
    return s != null
        && s.failover != null
        && node.equals(s.failover.fromNode)
        && !node.equals(s.nodeName);
  }

  /** Removes this node's stale domain of a machine that failed over away; what was done. */
  public List<Happened> removeStale(KvmMachine m) {
    MachineNaming n = naming.apply(m);
    String domain = n.domainName();
    return locks.with(
        domain,
        () -> {
          List<Happened> done = new ArrayList<>();
          Optional<DomainState> d = libvirt.domains().findDomain(domain);
          if (d.isEmpty() || !MachinePlanner.owns(d.get(), m.getMetadata().getUid())) {
            return done;
          }
          if (d.get().state() != DomainState.RunState.SHUTOFF) {
            libvirt.domains().destroyDomain(domain);
          }
          libvirt.domains().undefineDomain(domain);
          // local files only (a seed, a local volume by kvmop's name): never the RBD images
          done.addAll(disks.discardCopies(m, domain));
          try {
            Files.deleteIfExists(Path.of(n.serialLogPath()));
          } catch (IOException e) {
            // a serial log left behind harms no one
          }
          done.add(
              new Happened(
                  Reasons.STALE_DOMAIN_REMOVED,
                  "node "
                      + node
                      + " is back: its stale domain "
                      + domain
                      + " of this machine, which failed over to "
                      + m.getStatus().nodeName
                      + ", was removed without starting it"));
          return done;
        });
  }
}
