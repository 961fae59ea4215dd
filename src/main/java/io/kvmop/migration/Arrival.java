package io.kvmop.migration;

import io.kvmop.api.KvmMachine;
import io.kvmop.disk.DiskProvisioner;
import io.kvmop.host.KvmVerdict;
import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.machine.MachineNaming;
import io.kvmop.machine.MachinePlanner;
import io.kvmop.machine.MachineRealizer;
import io.kvmop.machine.NetworkBinding;
import io.kvmop.machine.NodePolicy;
import io.kvmop.status.Blocker;
import io.kvmop.status.Happened;
import io.kvmop.status.Reasons;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The target node's side of a live migration: before the copy, checks that this node takes the
 * machine as it is and prepares what libvirt expects to find (the disks' overlays on their base
 * images, fetched or verified here, the cloud-init seed, the serial log's directory, the networks
 * active); after it, confirms the domain arrived; when it failed, discards what was prepared.
 */
public final class Arrival {
  private final LibvirtPort libvirt;
  private final MachineRealizer machines;
  private final KvmVerdict kvm;

  public Arrival(LibvirtPort libvirt, MachineRealizer machines, KvmVerdict kvm) {
    this.libvirt = libvirt;
    this.machines = machines;
    this.kvm = kvm;
  }

  /**
   * What preparing got to: the files made ready (done), what it still waits for (a download, a
   * network coming up), or why this node refuses the machine.
   */
  /**
   * @param files the files prepared here (volumes, seed)
   * @param copied the targets of the writable local disks, whose top layers libvirt copies here
   * @param shared the targets of the disks on shared storage (RBD): the same image on both nodes,
   *     never copied
   */
  public record Prepared(
      List<String> files,
      List<String> copied,
      List<String> shared,
      String waiting,
      String refusal,
      List<Happened> done) {
    static Prepared refused(String why) {
      return new Prepared(List.of(), List.of(), List.of(), null, why, List.of());
    }

    static Prepared waiting(String what, List<Happened> done) {
      return new Prepared(List.of(), List.of(), List.of(), what, null, done);
    }
  }

  public Prepared prepare(
      KvmMachine m,
      List<NetworkBinding> bindings,
      NodePolicy policy,
      DiskProvisioner.Secrets secrets,
      String node) {
    MachineNaming naming = machines.naming(m);
    String domain = naming.domainName();
    String uid = m.getMetadata().getUid();
    Optional<DomainState> here = libvirt.domains().findDomain(domain);
    if (here.isPresent() && !MachinePlanner.owns(here.get(), uid)) {
      return Prepared.refused(
          "node "
              + node
              + " has a domain named "
              + domain
              + " that kvmop does not own for this machine; it is never touched: rename or remove"
              + " it there, or choose another node");
    }
    String virtType =
        m.getStatus() != null && m.getStatus().virtType != null ? m.getStatus().virtType : "qemu";
    if ("kvm".equals(virtType) && kvm.kvmFailure().isPresent()) {
      return Prepared.refused(
          "the machine runs with KVM and node "
              + node
              + " cannot run KVM guests: "
              + kvm.kvmFailure().get().explain());
    }
    Optional<Blocker> refused = machines.admits(m, bindings, policy, virtType);
    if (refused.isPresent()) {
      return Reasons.NETWORK_NOT_READY.equals(refused.get().reason())
          ? Prepared.waiting(refused.get().message(), List.of())
          : Prepared.refused("node " + node + " refuses it: " + refused.get().message());
    }
    for (NetworkBinding b : bindings) {
      if (b.managed()
          && libvirt
              .networks()
              .findNetwork(b.libvirtNetwork())
              .map(n -> !n.active())
              .orElse(true)) {
        return Prepared.waiting(
            "network " + b.network() + " is not active on node " + node + " yet", List.of());
      }
    }
    DiskProvisioner.Result storage =
        machines
            .disks()
            .provision(
                new DiskProvisioner.Input(
                    m,
                    domain,
                    false,
                    here.map(DomainState::diskFiles).orElse(java.util.Set.of()),
                    policy.imageDirectories(),
                    policy.downloads(),
                    secrets));
    if (storage.waiting()) {
      return Prepared.waiting(storage.blocker().message(), storage.done());
    }
    if (storage.blocker() != null) {
      return Prepared.refused(
          "node " + node + " cannot prepare the disks: " + storage.blocker().message());
    }
    if (!Boolean.FALSE.equals(m.getSpec().serialLog)) {
      Path dir = Path.of(naming.serialLogPath()).getParent();
      try {
        Files.createDirectories(dir);
      } catch (IOException | SecurityException e) {
        return Prepared.refused("cannot create the serial log directory " + dir + ": " + e);
      }
    }
    machines.locks().stay(domain); // it may have left this node before: it comes back now
    List<String> files = new ArrayList<>();
    List<String> copied = new ArrayList<>();
    List<String> shared = new ArrayList<>();
    for (DomainXml.Disk d : storage.devices()) {
      String target = d.target() == null ? "?" : d.target().dev();
      if (d.source() != null && d.source().file() != null) {
        files.add(d.source().file());
        if (d.readonly() == null) {
          copied.add(target);
        }
      } else if (d.source() != null && d.source().protocol() != null) {
        shared.add(target);
      }
    }
    return new Prepared(
        List.copyOf(files), List.copyOf(copied), List.copyOf(shared), null, null, storage.done());
  }

  /** Whether the machine's domain is here now, with kvmop's mark for it. */
  /** The machine's own domain on this node, if there is one. */
  public Optional<DomainState> domain(KvmMachine m) {
    return libvirt
        .domains()
        .findDomain(machines.naming(m).domainName())
        .filter(d -> MachinePlanner.owns(d, m.getMetadata().getUid()));
  }

  /** Destroys the machine's domain here: an incoming copy the source will never finish. */
  public void abortIncoming(KvmMachine m) {
    libvirt.domains().destroyDomain(machines.naming(m).domainName());
  }

  public boolean arrived(KvmMachine m) {
    return libvirt
        .domains()
        .findDomain(machines.naming(m).domainName())
        .map(d -> MachinePlanner.owns(d, m.getMetadata().getUid()))
        .orElse(false);
  }

  /**
   * The machine's copies on a node where its domain is not (the target of a failed migration, or
   * the source of one that succeeded): its volumes, seed and serial log deleted; nothing at all
   * while its domain is here. Empty when nothing was (or is left) to do.
   */
  public Optional<List<Happened>> discard(KvmMachine m) {
    MachineNaming naming = machines.naming(m);
    return machines
        .locks()
        .with(
            naming.domainName(),
            () -> {
              if (libvirt.domains().findDomain(naming.domainName()).isPresent()) {
                return Optional.<List<Happened>>empty();
              }
              try {
                List<Happened> done =
                    new ArrayList<>(machines.disks().discardCopies(m, naming.domainName()));
                Files.deleteIfExists(Path.of(naming.serialLogPath()));
                return Optional.of(done);
              } catch (LibvirtError | IOException e) {
                return Optional.<List<Happened>>empty();
              }
            });
  }

  /**
   * What was prepared here for a machine deleted before it arrived (its spec is gone, so its files
   * are known only from the migration's status): discarded unless its domain is here.
   */
  public Optional<List<Happened>> discardPrepared(String domain, String uid, List<String> files) {
    return machines
        .locks()
        .with(
            domain,
            () -> {
              try {
                boolean named = libvirt.domains().findDomain(domain).isPresent();
                return Optional.of(machines.disks().discardFiles(domain, uid, files, !named));
              } catch (LibvirtError e) {
                return Optional.<List<Happened>>empty();
              }
            });
  }

  /** After a Pause fallback the guest arrives paused: it runs again here. */
  public void resumeIfPaused(KvmMachine m) {
    String domain = machines.naming(m).domainName();
    libvirt
        .domains()
        .findDomain(domain)
        .filter(d -> MachinePlanner.owns(d, m.getMetadata().getUid()))
        .filter(d -> d.state() == DomainState.RunState.PAUSED)
        .ifPresent(d -> libvirt.domains().resumeDomain(domain));
  }
}
