package io.kvmop.machine;

import io.kvmop.libvirt.xml.DomainXml;

/** One step the machine planner asks for; the executor performs them in order. */
public sealed interface MachineAction {
  record Define(DomainXml xml) implements MachineAction {}

  record Start(String name) implements MachineAction {}

  /** Graceful: the guest agent when it is connected, else the ACPI power button. */
  record Shutdown(String name, boolean viaAgent) implements MachineAction {}

  record Destroy(String name) implements MachineAction {}

  record Suspend(String name) implements MachineAction {}

  record Resume(String name) implements MachineAction {}

  record Undefine(String name) implements MachineAction {}
}
