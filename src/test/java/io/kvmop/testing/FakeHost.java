package io.kvmop.testing;

import io.kvmop.libvirt.HostFacts;
import io.kvmop.libvirt.HostPort;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.Operation;
import io.kvmop.libvirt.Operation.Step;
import java.util.List;
import java.util.Optional;

/** The fake's host: its facts, whether KVM is there, whether libvirtd answers at all. */
public final class FakeHost implements HostPort {
  private final FakeLibvirt libvirt;

  /** What the host has. */
  public HostFacts facts = new HostFacts(8L * 1024 * 1024, 4, List.of("qemu64", "Nehalem"));

  FakeHost(FakeLibvirt libvirt) {
    this.libvirt = libvirt;
  }

  private void call(Step operation) {
    libvirt.record(operation);
  }

  public String domcapsKvmError = "VIR_ERR_CONFIG_UNSUPPORTED: KVM is not supported on this host";

  @Override
  public Optional<String> domainCapabilitiesError(String virtType) {
    return "kvm".equals(virtType) ? Optional.ofNullable(domcapsKvmError) : Optional.empty();
  }

  /** When set, every version() call fails as an unreachable libvirtd does. */
  public volatile boolean down;

  @Override
  public String version() {
    if (down) {
      throw new LibvirtError(
          "read libvirt version", "VIR_ERR_NO_CONNECT", "VIR_FROM_REMOTE", "no connection");
    }
    return "9.0.0";
  }

  @Override
  public HostFacts hostFacts(String virtType) {
    call(Operation.READ_HOST_FACTS.alone());
    return facts;
  }
}
