package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.hideHypervisor) || !self.hideHypervisor || self.virtType != 'qemu'",
    message = "spec.hideHypervisor hides KVM from the guest and needs virtType kvm or auto")
@ValidationRule(
    value = "!has(self.failover) || self.failover.policy != 'Restart' || !has(self.nodeName)",
    message =
        "spec.failover.policy Restart moves the machine to another node: leave spec.nodeName out"
            + " (spec.nodeSelector picks the nodes it may run on)")
@ValidationRule(
    value =
        "!has(self.failover) || self.failover.policy != 'Restart' || !has(self.disks) ||"
            + " self.disks.all(d, (has(d.storage) && d.storage != '') || (has(d.disposable) &&"
            + " d.disposable))",
    message =
        "spec.failover.policy Restart needs every disk on shared storage: set each"
            + " spec.disks[].storage to an rbd KvmStoragePool, or mark a disk that may be made"
            + " anew on another node disposable")
@ValidationRule(
    value =
        "!has(self.failover) || !has(self.failover.after) || duration(self.failover.after) >="
            + " duration('10s')",
    message = "spec.failover.after must be at least 10s")
public class KvmMachineSpec {

  @JsonPropertyDescription(
      "Always (keep running), RerunOnFailure (restart after a crash or destroy, not after a"
          + " shutdown from inside the guest), Manual (define only; start and stop are yours) or"
          + " Halted (shut down).")
  @Default("Always")
  public RunStrategy runStrategy = RunStrategy.Always;

  @JsonPropertyDescription(
      "The node (KVM host) to run on; without it kvmop places the machine on a node that fits"
          + " (label kvmop.io/node, status.nodeName).")
  @Pattern("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")
  public String nodeName;

  @JsonPropertyDescription("Labels a node must have to run the machine (used when it is placed).")
  public Map<String, String> nodeSelector;

  @JsonPropertyDescription(
      "kvm (hardware virtualization; refused where the host cannot run KVM guests), qemu"
          + " (software emulation, slow but works anywhere) or auto (kvm where the host can, else"
          + " qemu with condition KVMAvailable=False saying why).")
  @Default("auto")
  public VirtType virtType = VirtType.AUTO;

  @JsonPropertyDescription("Virtual CPUs: topology, model and features.")
  public CpuSpec cpu;

  @JsonPropertyDescription(
      "Guest memory, a Kubernetes quantity: 512Mi, 1.5Gi, 2G, 512M, or a number of bytes.")
  @Default("1Gi")
  @Pattern(Quantities.SIZE_PATTERN)
  @SchemaFrom(type = io.fabric8.kubernetes.api.model.Quantity.class)
  @JsonDeserialize(using = QuantityText.class)
  public String memory = "1Gi";

  @JsonPropertyDescription(
      "The most memory the running guest may be given (at least memory): memory can then be"
          + " changed up to it while the guest runs, through the virtio balloon (the guest needs"
          + " its virtio_balloon driver), without a restart. Placement reserves this much on the"
          + " node. Default: memory (a change of memory waits for a restart).")
  @Pattern(Quantities.SIZE_PATTERN)
  @SchemaFrom(type = io.fabric8.kubernetes.api.model.Quantity.class)
  @JsonDeserialize(using = QuantityText.class)
  public String maxMemory;

  /** The memory the guest may grow to: maxMemory, or memory when it is not given. */
  public String maxMemoryOrMemory() {
    return maxMemory == null ? memory : maxMemory;
  }

  @JsonPropertyDescription("bios (SeaBIOS) or uefi (OVMF, with per-machine NVRAM).")
  @Default("bios")
  @Pattern("^(bios|uefi)$")
  public String firmware = "bios";

  @JsonPropertyDescription("Hide the KVM hypervisor signature from the guest (<kvm><hidden/>).")
  @Default("false")
  public Boolean hideHypervisor = false;

  @JsonPropertyDescription(
      "Add the qemu-guest-agent channel; with an agent running in the guest, kvmop reads IPs"
          + " from it and shuts down through it.")
  @Default("false")
  public Boolean guestAgent = false;

  @JsonPropertyDescription("Direct kernel boot instead of booting from a disk.")
  public BootSpec boot;

  @JsonPropertyDescription(
      "Disks, in the order the guest sees them (the first is booted from unless boot is set).")
  @Size(max = 16)
  public List<DiskSpec> disks = new ArrayList<>();

  @JsonPropertyDescription(
      "cloud-init NoCloud seed disk; regenerated when any of it changes, and applied at the"
          + " machine's next boot (condition RestartRequired until then).")
  public CloudInitSpec cloudInit;

  @JsonPropertyDescription("Network interfaces, in the order the guest sees them.")
  @Size(max = 16)
  public List<MachineInterface> interfaces = new ArrayList<>();

  @JsonPropertyDescription(
      "PCI devices of the node passed through to the machine; each must be permitted by the"
          + " node's KvmHost (spec.permittedHostDevices).")
  @Size(max = 16)
  public List<HostDevice> hostDevices = new ArrayList<>();

  @JsonPropertyDescription(
      "Write the serial console to a file on the node; the path is in status.serialLogPath.")
  @Default("true")
  public Boolean serialLog = true;

  @JsonPropertyDescription(
      "What happens when the machine's node dies. Default: nothing, the machine waits for its"
          + " node (policy None).")
  public FailoverSpec failover;

  @JsonPropertyDescription(
      "A graphical display: {type: vnc} listens on the node's loopback only (127.0.0.1, a port"
          + " libvirt picks, in status.graphics); kvmop vnc NAME forwards it to your machine."
          + " Without it (the default) the machine has no display.")
  public GraphicsSpec graphics;

  @JsonPropertyDescription(
      "How long a graceful shutdown may take before the machine is destroyed: 90s, 2m, 1m30s.")
  @Default("90s")
  @Pattern(Quantities.DURATION_PATTERN)
  public String shutdownTimeout = "90s";

  @JsonPropertyDescription(
      "How long to wait for an IP address before condition IPAssigned=False names the likely"
          + " causes; kvmop keeps looking afterwards.")
  @Default("120s")
  @Pattern(Quantities.DURATION_PATTERN)
  public String ipWaitTimeout = "120s";

  public RunStrategy runStrategyOrDefault() {
    return runStrategy == null ? RunStrategy.Always : runStrategy;
  }

  public VirtType virtTypeOrDefault() {
    return virtType == null ? VirtType.AUTO : virtType;
  }

  public CpuSpec cpuOrDefault() {
    return cpu == null ? new CpuSpec() : cpu;
  }
}
