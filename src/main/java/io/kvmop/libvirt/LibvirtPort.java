package io.kvmop.libvirt;

/**
 * Every libvirt operation kvmop performs, and nothing more, by the part of libvirt it is about. The
 * planner decides, this port acts; tests of the decisions use an in-memory fake, tests of this port
 * use libvirt itself.
 *
 * <p>Every method throws {@link LibvirtError} (unchecked) with libvirt's error code kept.
 */
public interface LibvirtPort {

  /** The URI this port talks to, e.g. qemu:///system. */
  String uri();

  /** libvirt's virtual networks. */
  NetworkPort networks();

  /** libvirt's domains. */
  DomainPort domains();

  /** What libvirt says about the host. */
  HostPort host();

  /** libvirt's storage API: kvmop's pool and the volumes in it. */
  StoragePort storage();

  /** libvirt's secrets: the Ceph client keys of kvmop's RBD pools. */
  SecretPort secrets();

  /** Changes to running domains that take effect without a restart. */
  LivePort live();

  /** libvirt's snapshot API: internal snapshots of kvmop's domains, and their revert. */
  SnapshotPort snapshots();

  /** libvirt's live migration of running domains to another node's libvirtd. */
  MigrationPort migrations();

  /** Lifecycle events and reconnects. */
  EventPort events();
}
