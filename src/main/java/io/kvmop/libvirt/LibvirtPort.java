package io.kvmop.libvirt;

import io.kvmop.libvirt.xml.DomainXml;
import io.kvmop.libvirt.xml.NetworkXml;
import java.util.List;
import java.util.Optional;

/**
 * Every libvirt operation kvmop performs, and nothing more. The planner decides, this port acts;
 * tests of the decisions use an in-memory fake, tests of this port use libvirt itself.
 *
 * <p>Every method throws {@link LibvirtError} (unchecked) with libvirt's error code kept.
 */
public interface LibvirtPort {

  /** The URI this port talks to, e.g. qemu:///system. */
  String uri();

  Optional<NetworkState> findNetwork(String name);

  /** Every network libvirt knows, active or only defined. */
  List<NetworkState> listNetworks();

  /** Defines (or redefines, same name and UUID) a persistent network. */
  void defineNetwork(NetworkXml xml);

  void startNetwork(String name);

  /** Stops a running network (libvirt's destroy); its definition stays. */
  void stopNetwork(String name);

  void undefineNetwork(String name);

  void setNetworkAutostart(String name, boolean autostart);

  /** Only the autostart flag (cheap: no XML); empty when there is no such persistent network. */
  Optional<Boolean> networkAutostart(String name);

  /** Changes the running network in place (its persistent definition is left alone). */
  void updateRunningNetwork(String name, NetworkUpdate update);

  /** The network's DHCP leases; empty when this libvirt driver cannot report them. */
  Optional<List<DhcpLease>> dhcpLeases(String name);

  Optional<DomainState> findDomain(String name);

  /** Names of every domain libvirt knows, running or only defined. */
  List<String> listDomainNames();

  /**
   * Defines (or redefines, same name and UUID) a persistent domain, and records in its owner mark a
   * hash of the form libvirt stored it in ({@link DomainXml#storedHash()}), where the driver
   * allows.
   */
  void defineDomain(DomainXml xml);

  /**
   * Runs a call that causes the lifecycle event {@code kind} (DEFINED, STARTED) on the domain, for
   * a caller that looks at the domain after it: that event, when it comes, is marked as kvmop's own
   * ({@link DomainEvent#own()}), so it wakes nothing. A port without events just makes the call.
   */
  default void echoing(String domain, String kind, Runnable call) {
    call.run();
  }

  void startDomain(String name);

  /** Asks the guest to shut down: through the guest agent, or with the ACPI power button. */
  void shutdownDomain(String name, boolean viaAgent);

  /** Stops the domain at once (libvirt's destroy); its definition stays. */
  void destroyDomain(String name);

  /** Attaches to the domain's serial console; {@code force} takes it from another session. */
  ConsoleStream openConsole(String name, boolean force);

  /** Pauses the running domain's vCPUs (libvirt's suspend); memory stays where it is. */
  void suspendDomain(String name);

  /** Lets a paused domain run again. */
  void resumeDomain(String name);

  /** Removes the definition, with its NVRAM file where it has one. */
  void undefineDomain(String name);

  /**
   * The guest's interfaces as its agent reports them; empty when no agent answers (none installed,
   * not started yet, or no agent channel).
   */
  Optional<List<GuestNic>> agentInterfaces(String domainName);

  /** libvirt's error for domain capabilities of this domain type; empty when it answers. */
  Optional<String> domainCapabilitiesError(String virtType);

  /** The daemon's version, e.g. 9.0.0. */
  String version();

  /** Host memory, CPUs and the CPU models libvirt offers for this domain type. */
  HostFacts hostFacts(String virtType);

  /** libvirt's storage API: kvmop's pool and the volumes in it. */
  StoragePort storage();

  /** Changes to running domains that take effect without a restart. */
  LivePort live();

  /** libvirt's snapshot API: internal snapshots of kvmop's domains, and their revert. */
  SnapshotPort snapshots();

  /** libvirt's live migration of running domains to another node's libvirtd. */
  MigrationPort migrations();

  /** Network lifecycle events and reconnects are delivered here, off libvirt's event thread. */
  void addListener(LibvirtListener listener);

  void removeListener(LibvirtListener listener);
}
