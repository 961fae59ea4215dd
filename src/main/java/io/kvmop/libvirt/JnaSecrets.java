package io.kvmop.libvirt;

import io.kvmop.libvirt.xml.SecretXml;
import io.kvmop.libvirt.xml.XmlCodec;
import java.util.Optional;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.Secret;

/** {@link SecretPort} over libvirt-java, sharing {@link JnaLibvirt}'s connection. */
final class JnaSecrets implements SecretPort {
  private final LibvirtCalls libvirt;

  JnaSecrets(LibvirtCalls libvirt) {
    this.libvirt = libvirt;
  }

  @Override
  public Optional<SecretState> findSecret(String uuid) {
    return libvirt.call(
        Operation.LOOK_UP_SECRET.on(uuid),
        c -> {
          Secret s;
          try {
            s = c.secretLookupByUUIDString(uuid);
          } catch (LibvirtException e) {
            if (e.getError() != null && e.getError().getCode() == ErrorNumber.VIR_ERR_NO_SECRET) {
              return Optional.empty();
            }
            throw e;
          }
          try {
            SecretXml x = XmlCodec.read(s.getXMLDesc(), SecretXml.class);
            return Optional.of(
                new SecretState(
                    s.getUUIDString(),
                    x.description(),
                    x.usage() == null ? null : x.usage().type(),
                    x.usage() == null ? null : x.usage().name()));
          } finally {
            s.free();
          }
        });
  }

  @Override
  public void defineSecret(SecretXml xml) {
    String text = XmlCodec.write(xml);
    libvirt.call(
        Operation.DEFINE_SECRET.on(xml.uuid()),
        c -> {
          c.secretDefineXML(text).free();
          return null;
        });
  }

  @Override
  public void setSecretValue(String uuid, byte[] value) {
    onSecret(
        Operation.SET_SECRET_VALUE.on(uuid), // the value is never in a call's text
        uuid,
        s -> {
          s.setValue(value);
          return null;
        });
  }

  @Override
  public void undefineSecret(String uuid) {
    onSecret(
        Operation.UNDEFINE_SECRET.on(uuid),
        uuid,
        s -> {
          s.undefine();
          return null;
        });
  }

  @FunctionalInterface
  private interface SecretCall<T> {
    T apply(Secret s) throws LibvirtException;
  }

  private <T> T onSecret(Operation.Step step, String uuid, SecretCall<T> action) {
    return libvirt.call(
        step,
        c -> {
          Secret s = c.secretLookupByUUIDString(uuid);
          try {
            return action.apply(s);
          } finally {
            s.free();
          }
        });
  }
}
