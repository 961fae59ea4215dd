package io.kvmop.libvirt;

import io.kvmop.libvirt.xml.SecretXml;
import java.util.Optional;

/**
 * libvirt's secrets, as much as kvmop uses: the Ceph client keys its RBD pools and disks
 * authenticate with. A value goes in and is never read back. Every method throws {@link
 * LibvirtError} with libvirt's error code kept.
 */
public interface SecretPort {
  Optional<SecretState> findSecret(String uuid);

  /** Defines (or redefines, by UUID) a persistent secret. */
  void defineSecret(SecretXml xml);

  /** Sets the secret's value (raw bytes: a Ceph key is the base64 text's decoded bytes). */
  void setSecretValue(String uuid, byte[] value);

  void undefineSecret(String uuid);
}
