package io.kvmop.testing;

import io.kvmop.libvirt.DomainState;
import io.kvmop.libvirt.LibvirtError;
import io.kvmop.libvirt.LivePort;
import io.kvmop.libvirt.Operation;
import io.kvmop.libvirt.Operation.Step;
import io.kvmop.libvirt.xml.DomainXml;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Live changes to {@link FakeLibvirt}'s running domains: its live definition changes, no restart.
 */
public final class FakeLive implements LivePort {
  private final FakeLibvirt libvirt;

  FakeLive(FakeLibvirt libvirt) {
    this.libvirt = libvirt;
  }

  private void change(Step operation, String domain, UnaryOperator<DomainXml> edit) {
    libvirt.record(operation);
    DomainState d = libvirt.domains().findDomain(domain).orElseThrow();
    if (!d.running() || d.live() == null) {
      throw new LibvirtError(
          operation.text(), "VIR_ERR_OPERATION_INVALID", "", "domain is not running");
    }
    libvirt.replace(
        new DomainState(
            d.name(),
            d.uuid(),
            d.persistent(),
            d.state(),
            d.reason(),
            d.config(),
            edit.apply(d.live())));
  }

  private static DomainXml with(
      DomainXml x, DomainXml.Memory cur, DomainXml.Vcpu vcpu, DomainXml.Devices devices) {
    return new DomainXml(
        x.type(),
        x.name(),
        x.uuid(),
        x.metadata(),
        x.memory(),
        cur,
        vcpu,
        x.os(),
        x.features(),
        x.cpu(),
        devices);
  }

  private static DomainXml.Devices devices(
      DomainXml x, List<DomainXml.Disk> disks, List<DomainXml.Interface> nics) {
    DomainXml.Devices d = x.devices();
    return new DomainXml.Devices(
        disks, nics, d.hostdevs(), d.serials(), d.channels(), d.graphics());
  }

  private static <T> List<T> plus(List<T> list, T item) {
    List<T> out = new ArrayList<>(list == null ? List.of() : list);
    out.add(item);
    return out;
  }

  private static <T> List<T> minus(List<T> list, T item) {
    List<T> out = new ArrayList<>(list == null ? List.of() : list);
    out.remove(item);
    return out;
  }

  @Override
  public void setMemory(String domain, long kib) {
    change(
        Operation.SET_LIVE_MEMORY.as("set live memory of " + domain),
        domain,
        x -> with(x, new DomainXml.Memory(kib), x.vcpu(), x.devices()));
  }

  @Override
  public void setVcpus(String domain, int count) {
    change(
        Operation.SET_LIVE_VCPUS.as("set live vcpus of " + domain),
        domain,
        x -> with(x, x.currentMemory(), new DomainXml.Vcpu(count, x.vcpu().value), x.devices()));
  }

  @Override
  public void attach(String domain, DomainXml.Disk disk) {
    change(
        Operation.ATTACH_DISK.as("attach disk to " + domain),
        domain,
        x ->
            with(
                x,
                x.currentMemory(),
                x.vcpu(),
                devices(x, plus(x.devices().disks(), disk), x.devices().interfaces())));
  }

  @Override
  public void detach(String domain, DomainXml.Disk disk) {
    change(
        Operation.DETACH_DISK.as("detach disk from " + domain),
        domain,
        x ->
            with(
                x,
                x.currentMemory(),
                x.vcpu(),
                devices(x, minus(x.devices().disks(), disk), x.devices().interfaces())));
  }

  @Override
  public void attach(String domain, DomainXml.Interface nic) {
    change(
        Operation.ATTACH_INTERFACE.as("attach interface to " + domain),
        domain,
        x ->
            with(
                x,
                x.currentMemory(),
                x.vcpu(),
                devices(x, x.devices().disks(), plus(x.devices().interfaces(), nic))));
  }

  @Override
  public void detach(String domain, DomainXml.Interface nic) {
    change(
        Operation.DETACH_INTERFACE.as("detach interface from " + domain),
        domain,
        x ->
            with(
                x,
                x.currentMemory(),
                x.vcpu(),
                devices(x, x.devices().disks(), minus(x.devices().interfaces(), nic))));
  }

  @Override
  public void mark(String domain, DomainXml.Owner owner) {
    change(
        Operation.SET_LIVE_METADATA.as("set live metadata of " + domain),
        domain,
        x ->
            new DomainXml(
                x.type(),
                x.name(),
                x.uuid(),
                new DomainXml.Metadata(owner),
                x.memory(),
                x.currentMemory(),
                x.vcpu(),
                x.os(),
                x.features(),
                x.cpu(),
                x.devices()));
  }
}
