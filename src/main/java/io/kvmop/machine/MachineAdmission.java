package io.kvmop.machine;

import io.kvmop.api.KvmMachine;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.Unreadable;
import io.kvmop.api.VirtType;
import io.kvmop.libvirt.HostFacts;
import io.kvmop.libvirt.LibvirtPort;
import io.kvmop.status.Blocker;
import io.kvmop.status.Reasons;
import io.kvmop.validation.CrdSchemas;
import io.kvmop.validation.ResourceNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Whether this node takes a machine as declared: its spec validated, the host devices its admin
 * permits, KVM when asked for, what the host's libvirt offers (CPU models, memory), and each
 * interface's network usable here. The first reason it does not, as a blocker.
 */
final class MachineAdmission {
  private final String node;
  private final LibvirtPort libvirt;
  private final Function<String, Optional<String[]>> pciLookup;
  private final UnmanagedNetworks unmanaged;
  private final Map<String, HostFacts> hostFacts = new ConcurrentHashMap<>();

  MachineAdmission(
      String node, LibvirtPort libvirt, Function<String, Optional<String[]>> pciLookup) {
    this.node = node;
    this.libvirt = libvirt;
    this.pciLookup = pciLookup;
    this.unmanaged = new UnmanagedNetworks(node, libvirt);
  }

  /** Each interface's libvirt network, and the first reason one is not usable. */
  record Networks(Map<String, String> byInterface, Optional<Blocker> problem) {}

  /** Validation and what only the host can tell; empty when the machine may go ahead. */
  Optional<Blocker> admit(
      KvmMachine m, NodePolicy policy, Optional<String> kvmWhy, String virtType) {
    KvmMachineSpec spec = m.getSpec();
    List<String> unreadable = Unreadable.problems(m);
    if (!unreadable.isEmpty()) {
      // the rest of the spec is checked once every field can be read
      return Optional.of(new Blocker(Reasons.UNREADABLE, String.join("; ", unreadable)));
    }
    List<String> problems = new ArrayList<>();
    problems.addAll(ResourceNames.problems(m.getMetadata()));
    // what an API server would have refused (an older CRD, or none checked it): kvmop checks too
    problems.addAll(CrdSchemas.specProblems("KvmMachine", m.getMetadata().getUid(), spec));
    problems.addAll(MachineValidator.validate(spec));
    if (problems.isEmpty()) {
      problems =
          MachineValidator.validateHostDevices(spec, node, policy.permittedDevices(), pciLookup);
    }
    if (!problems.isEmpty()) {
      return Optional.of(new Blocker(Reasons.INVALID_SPEC, String.join("; ", problems)));
    }
    if (spec.virtTypeOrDefault() == VirtType.KVM && kvmWhy.isPresent()) {
      return Optional.of(
          new Blocker(
              Reasons.KVM_UNAVAILABLE,
              "spec.virtType is kvm but this node cannot run KVM guests: "
                  + kvmWhy.get()
                  + "; or use virtType auto or qemu"));
    }
    problems = MachineValidator.validateOnHost(spec, facts(virtType), virtType);
    return problems.isEmpty()
        ? Optional.empty()
        : Optional.of(new Blocker(Reasons.INVALID_SPEC, String.join("; ", problems)));
  }

  Networks networks(List<NetworkBinding> bindings, NodePolicy policy) {
    Optional<Blocker> problem = Optional.empty();
    Map<String, String> byInterface = new HashMap<>();
    for (NetworkBinding b : bindings) {
      Optional<Blocker> why =
          b.problem() != null ? Optional.of(b.problem()) : unmanaged.check(b, policy);
      if (problem.isEmpty()) {
        problem = why;
      }
      byInterface.put(b.interfaceName(), b.libvirtNetwork());
    }
    return new Networks(byInterface, problem);
  }

  private HostFacts facts(String virtType) {
    return hostFacts.computeIfAbsent(virtType, libvirt.host()::hostFacts);
  }
}
