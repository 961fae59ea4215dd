package io.kvmop.testing;

import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.Operation;
import io.kvmop.libvirt.SecretPort;
import io.kvmop.libvirt.SecretState;
import io.kvmop.libvirt.xml.SecretXml;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** In-memory libvirt secrets; the values are kept for tests to check, never handed back. */
public final class FakeSecrets implements SecretPort {
  private final FakeLibvirt libvirt;
  private final Map<String, SecretState> secrets = new LinkedHashMap<>();

  /** The value set for each secret, by UUID. */
  public final Map<String, byte[]> values = new LinkedHashMap<>();

  FakeSecrets(FakeLibvirt libvirt) {
    this.libvirt = libvirt;
  }

  @Override
  public synchronized Optional<SecretState> findSecret(String uuid) {
    libvirt.record(Operation.LOOK_UP_SECRET.on(uuid));
    return Optional.ofNullable(secrets.get(uuid));
  }

  @Override
  public synchronized void defineSecret(SecretXml xml) {
    libvirt.record(Operation.DEFINE_SECRET.on(xml.uuid()));
    secrets.put(
        xml.uuid(),
        new SecretState(xml.uuid(), xml.description(), xml.usage().type(), xml.usage().name()));
  }

  @Override
  public synchronized void setSecretValue(String uuid, byte[] value) {
    libvirt.record(Operation.SET_SECRET_VALUE.on(uuid));
    if (!secrets.containsKey(uuid)) {
      throw new LibvirtError(
          "set secret value " + uuid, "VIR_ERR_NO_SECRET", "VIR_FROM_SECRET", "no secret");
    }
    values.put(uuid, value.clone());
  }

  @Override
  public synchronized void undefineSecret(String uuid) {
    libvirt.record(Operation.UNDEFINE_SECRET.on(uuid));
    if (secrets.remove(uuid) == null) {
      throw new LibvirtError(
          "undefine secret " + uuid, "VIR_ERR_NO_SECRET", "VIR_FROM_SECRET", "no secret");
    }
    values.remove(uuid);
  }
}
