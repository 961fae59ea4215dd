package io.kvmop.libvirt;

import io.kvmop.libvirt.xml.DomainXml;
import java.util.List;
import java.util.Optional;

/**
 * libvirt's domains: define, power, console, undefine, and what the guest agent says.
 *
 * <p>Every method throws {@link LibvirtError} (unchecked) with libvirt's error code kept.
 */
public interface DomainPort {
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
}
