package io.kvmop.libvirt;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.kvmop.libvirt.xml.DomainCapabilitiesXml;
import io.kvmop.libvirt.xml.XmlCodec;
import java.util.List;
import java.util.Optional;

/** What libvirt says about the host: its version, domain capabilities, size and CPU models. */
final class JnaHost implements HostPort {
  private final LibvirtCalls calls;

  JnaHost(LibvirtCalls calls) {
    this.calls = calls;
  }

  @Override
  public Optional<String> domainCapabilitiesError(String virtType) {
    return calls.call(
        Operation.READ_DOMAIN_CAPABILITIES.as("read domain capabilities for " + virtType),
        c -> {
          Pointer caps =
              NativeLibvirt.INSTANCE.virConnectGetDomainCapabilities(
                  c.pointer(), null, "x86_64", null, virtType, 0);
          if (caps == null) {
            LibvirtError e = LibvirtCalls.lastError("read domain capabilities for " + virtType);
            return Optional.of(e.code() + ": " + e.libvirtMessage());
          }
          Native.free(Pointer.nativeValue(caps));
          return Optional.empty();
        });
  }

  @Override
  public String version() {
    return calls.call(
        Operation.READ_LIBVIRT_VERSION.alone(),
        c -> {
          long v = c.getLibVersion();
          return (v / 1_000_000) + "." + (v / 1000 % 1000) + "." + (v % 1000);
        });
  }

  @Override
  public HostFacts hostFacts(String virtType) {
    return calls.call(
        Operation.READ_HOST_FACTS.alone(),
        c -> {
          var info = c.nodeInfo();
          List<String> models = List.of();
          Pointer caps =
              NativeLibvirt.INSTANCE.virConnectGetDomainCapabilities(
                  c.pointer(), null, "x86_64", null, virtType, 0);
          if (caps != null) {
            try {
              models =
                  XmlCodec.read(caps.getString(0), DomainCapabilitiesXml.class)
                      .usableCustomModels();
            } finally {
              Native.free(Pointer.nativeValue(caps));
            }
          }
          return new HostFacts(info.memory, info.cpus, models);
        });
  }
}
