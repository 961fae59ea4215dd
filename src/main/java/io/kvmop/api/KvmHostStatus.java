package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class KvmHostStatus {
  @JsonPropertyDescription("The libvirt the agent talks to.")
  public LibvirtInfo libvirt;

  @JsonPropertyDescription("Can this host run KVM guests, and every check that decides it.")
  public KvmInfo kvm;

  @JsonPropertyDescription("CPU models libvirt offers for machines here (mode custom).")
  public List<String> cpuModels = new ArrayList<>();

  @JsonPropertyDescription("The host's CPUs and memory.")
  public HostResources capacity;

  @JsonPropertyDescription(
      "What machines on this host may hold in all: capacity times spec.cpuAllocationRatio and"
          + " spec.memoryAllocationRatio.")
  public HostResources allocatable;

  @JsonPropertyDescription(
      "What the machines on this host hold: every machine placed here whose runStrategy is not"
          + " Halted (or whose domain still runs).")
  public HostResources allocated;

  @JsonPropertyDescription(
      "libvirt's own default network, as the minikube and Nova guides check it.")
  public DefaultNetworkStatus defaultNetwork;

  @JsonPropertyDescription(
      "kvmop's libvirt storage pool on this host: where machines' volumes, cloud-init seeds and"
          + " downloaded images live.")
  public StorageInfo storage;

  @JsonPropertyDescription("Ready (libvirt reachable, checks done) and KVMUsable.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription(
      "What this node can do for running machines without a restart, and with snapshots.")
  public Operations operations;

  @JsonPropertyDescription(
      "Where other nodes' libvirtd reach this node's to migrate machines here; absent when this"
          + " node accepts no migrations (the agent's KVMOP_MIGRATION_URI is not set).")
  public MigrationEndpoint migration;

  @JsonPropertyDescription("While spec.drain is set: how far draining this host has got.")
  public DrainStatus drain;

  /** A drain in progress, or done, or blocked. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class DrainStatus {
    @JsonPropertyDescription(
        "Draining (machines are moving), Drained (none left here) or Blocked (those left cannot"
            + " move: see cannotMove).")
    public DrainPhase phase;

    @JsonPropertyDescription("NAMESPACE/NAME of the machines moving now.")
    public List<String> moving = new ArrayList<>();

    @JsonPropertyDescription("The machines that stay here, and why each cannot move.")
    public List<Unmovable> cannotMove = new ArrayList<>();
  }

  /** A machine a drain leaves here. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Unmovable {
    @JsonPropertyDescription("NAMESPACE/NAME.")
    public String machine;

    public String reason;

    public Unmovable() {}

    public Unmovable(String machine, String reason) {
      this.machine = machine;
      this.reason = reason;
    }
  }

  /** How a migration reaches this node. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class MigrationEndpoint {
    @JsonPropertyDescription(
        "This node's libvirtd as the other nodes' libvirtd reach it, e.g."
            + " qemu+tls://10.0.0.12/system.")
    public String uri;

    @JsonPropertyDescription(
        "The address the memory and disk streams come to (libvirt's choice when absent).")
    public String address;
  }

  /** Day-2 operations this node supports. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Operations {
    @JsonPropertyDescription(
        "Changes made to a running machine without a restart: memory (up to spec.maxMemory,"
            + " through the virtio balloon), vcpus (up to spec.cpu.maxSockets), disks and"
            + " interfaces (attached and detached).")
    public List<String> liveChanges = new ArrayList<>();

    @JsonPropertyDescription("Whether KvmMachineSnapshots and KvmMachineRestores work here.")
    public Boolean snapshots;

    @JsonPropertyDescription(
        "Whether a disk can be cloned from a snapshot here (needs qemu-img where the agent runs).")
    public Boolean clones;

    @JsonPropertyDescription("What limits them here, if anything.")
    public String message;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class StorageInfo {
    @JsonPropertyDescription("The pool's name in libvirt.")
    public String pool;

    @JsonPropertyDescription("Its directory on the host.")
    public String path;

    @JsonPropertyDescription("Whether it is active (kvmop starts and autostarts it).")
    public Boolean active;

    @JsonPropertyDescription("Its filesystem's size, e.g. 200Gi (rounded down).")
    public String capacity;

    @JsonPropertyDescription("Free space left, e.g. 120Gi (rounded down).")
    public String available;

    @JsonPropertyDescription("Why kvmop cannot use it, with the fix; absent when it can.")
    public String problem;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class LibvirtInfo {
    @JsonPropertyDescription("libvirt URI.")
    public String uri;

    @JsonPropertyDescription("libvirt daemon version.")
    public String version;

    @JsonPropertyDescription("The agent's connection to libvirt is up.")
    public Boolean connected;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class KvmInfo {
    @JsonPropertyDescription("True only when every KVM check passes.")
    public Boolean usable;

    @JsonPropertyDescription(
        "The troubleshooting steps of the KVM guides, each with its result and fix.")
    public List<HostCheckStatus> checks = new ArrayList<>();
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HostCheckStatus {
    public String name;
    public Boolean passed;
    public String message;
    public String fix;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HostResources {
    public Integer cpus;
    public String memory;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class DefaultNetworkStatus {
    public Boolean exists;
    public Boolean active;
    public Boolean autostart;

    @JsonPropertyDescription("What kvmop did or would do about it.")
    public String message;
  }
}
