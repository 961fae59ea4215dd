package io.kvmop.libvirt;

import java.util.Optional;

/**
 * What libvirt says about the host: its version, its capabilities, its memory and CPUs.
 *
 * <p>Every method throws {@link LibvirtError} (unchecked) with libvirt's error code kept.
 */
public interface HostPort {
  /** libvirt's error for domain capabilities of this domain type; empty when it answers. */
  Optional<String> domainCapabilitiesError(String virtType);

  /** The daemon's version, e.g. 9.0.0. */
  String version();

  /** Host memory, CPUs and the CPU models libvirt offers for this domain type. */
  HostFacts hostFacts(String virtType);
}
