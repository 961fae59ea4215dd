package io.kvmop.machine;

import io.kvmop.api.BootSpec;
import io.kvmop.api.CpuMode;
import io.kvmop.api.CpuSpec;
import io.kvmop.api.DiskSpec;
import io.kvmop.api.ImageSource;
import io.kvmop.api.KvmMachineSpec;
import io.kvmop.api.MachineInterface;
import io.kvmop.api.PciDeviceId;
import io.kvmop.api.Quantities;
import io.kvmop.disk.DiskFormat;
import io.kvmop.disk.DiskProvisioner;
import io.kvmop.disk.ImageFetcher;
import io.kvmop.disk.ImagePaths;
import io.kvmop.libvirt.HostFacts;
import io.kvmop.validation.SpecText;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a KvmMachine spec and returns every problem as a message naming the field and what would
 * be valid. {@link #validate} needs nothing but the spec; {@link #validateOnHost} compares it with
 * what the node's libvirt offers.
 */
public final class MachineValidator {
  private static final Pattern MAC = Pattern.compile("^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$");
  private static final Pattern IFNAME = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$");
  private static final Pattern NODE_NAME =
      Pattern.compile(
          "^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

  /** Spec fields that hold whole documents: line breaks allowed. */
  private static final Set<String> DOCUMENTS =
      Set.of("spec.cloudInit.userData", "spec.cloudInit.networkData");

  private MachineValidator() {}

  public static List<String> validate(KvmMachineSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      problems.add("spec is missing");
      return problems;
    }
    problems.addAll(SpecText.problems("spec", spec, DOCUMENTS));
    if (!problems.isEmpty()) {
      return problems; // the rules below quote these fields
    }
    if (spec.nodeName != null && !NODE_NAME.matcher(spec.nodeName).matches()) {
      problems.add(
          "spec.nodeName '"
              + spec.nodeName
              + "' is not a node name (a DNS-1123 subdomain of at most 253 characters)");
    }
    if (Quantities.kib(spec.memory).filter(k -> k >= 16 * 1024).isEmpty()) {
      problems.add(
          "spec.memory '"
              + spec.memory
              + "' is not a size of at least 16Mi (a Kubernetes quantity such as 512Mi, 1.5Gi or"
              + " 2G)");
    }
    if (spec.maxMemory != null) {
      var max = Quantities.kib(spec.maxMemory);
      if (max.isEmpty()) {
        problems.add("spec.maxMemory '" + spec.maxMemory + "' is not a size (such as 4Gi or 8G)");
      } else if (Quantities.kib(spec.memory).filter(m -> m > max.get()).isPresent()) {
        problems.add(
            "spec.memory "
                + spec.memory
                + " is more than spec.maxMemory "
                + spec.maxMemory
                + "; raise maxMemory (that needs a restart) or lower memory");
      }
    }
    CpuSpec cpu = spec.cpuOrDefault();
    if (cpu.maxSockets != null
        && (cpu.maxSockets < 1
            || cpu.maxSockets > 64
            || cpu.maxSockets < (cpu.sockets == null ? 1 : cpu.sockets))) {
      problems.add(
          "spec.cpu.maxSockets "
              + cpu.maxSockets
              + " is out of range: use sockets ("
              + cpu.sockets
              + ") up to 64; raising it needs a restart");
    }
    if (cpu.maxVcpus() > 512) {
      problems.add(
          "spec.cpu: maxSockets x cores x threads is " + cpu.maxVcpus() + " vCPUs; at most 512");
    }
    for (var f :
        new Object[][] {
          {"sockets", cpu.sockets, 64}, {"cores", cpu.cores, 256}, {"threads", cpu.threads, 8}
        }) {
      Integer v = (Integer) f[1];
      if (v != null && (v < 1 || v > (Integer) f[2])) {
        problems.add("spec.cpu." + f[0] + " " + v + " is out of range: use 1.." + f[2]);
      }
    }
    if (cpu.modeOrDefault() == CpuMode.CUSTOM && (cpu.model == null || cpu.model.isBlank())) {
      problems.add("spec.cpu.model is required with mode custom");
    }
    if (cpu.modeOrDefault() != CpuMode.CUSTOM && cpu.model != null) {
      problems.add(
          "spec.cpu.model is allowed only with mode custom (mode is "
              + cpu.modeOrDefault().wireName()
              + ")");
    }
    if (spec.firmware != null && !spec.firmware.equals("bios") && !spec.firmware.equals("uefi")) {
      problems.add("spec.firmware '" + spec.firmware + "' is not bios or uefi");
    }
    validateBoot(spec.boot, problems);
    validateInterfaces(spec.interfaces, problems);
    validateDisks(spec, problems);
    io.kvmop.failover.FailoverRules.check(spec, problems);
    for (String[] d :
        new String[][] {
          {"shutdownTimeout", spec.shutdownTimeout}, {"ipWaitTimeout", spec.ipWaitTimeout}
        }) {
      if (d[1] != null && Quantities.duration(d[1]).isEmpty()) {
        problems.add(
            "spec." + d[0] + " '" + d[1] + "' is not a duration such as 90s, 2m, 1m30s or 500ms");
      }
    }
    return problems;
  }

  private static final Pattern DISK_NAME = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$");
  private static final Pattern SHA256 = Pattern.compile("^[0-9a-fA-F]{64}$");

  private static void validateDisks(KvmMachineSpec spec, List<String> problems) {
    List<DiskSpec> disks = spec.disks == null ? List.of() : spec.disks;
    Set<String> names = new HashSet<>();
    for (int i = 0; i < disks.size(); i++) {
      DiskSpec d = disks.get(i);
      String at = "spec.disks[" + i + "]";
      if (d.name == null || !DISK_NAME.matcher(d.name).matches()) {
        problems.add(at + ".name '" + d.name + "' is not a name like root or data-1");
      } else if (!names.add(d.name)) {
        problems.add(at + ".name '" + d.name + "' is used by another disk; names must be unique");
      } else if (DiskProvisioner.CIDATA.equals(d.name) && spec.cloudInit != null) {
        problems.add(at + ".name 'cidata' is the cloud-init seed's; choose another name");
      }
      if (d.size != null && Quantities.bytes(d.size).filter(b -> b >= 1 << 20).isEmpty()) {
        problems.add(
            at
                + ".size '"
                + d.size
                + "' is not a size of at least 1Mi (such as 20Gi, 1.5Ti or 40G)");
      }
      if (d.snapshot != null) {
        validateClone(at, d, problems);
        continue;
      }
      if (d.image == null) {
        if (d.size == null) {
          problems.add(
              at
                  + " ("
                  + d.name
                  + ") needs an image, a snapshot (a clone) or a size (for a blank volume)");
        }
        if (d.format != null && !d.format.equals("qcow2") && !d.format.equals("raw")) {
          problems.add(at + ".format '" + d.format + "' is not qcow2 or raw");
        }
        continue;
      }
      if (d.format != null && !d.format.equals("qcow2")) {
        problems.add(
            at
                + ".format applies to blank volumes; a disk with an image is a qcow2 overlay (put"
                + " the image's format in image.format)");
      }
      validateImage(at, d.image, problems);
    }
    var ci = spec.cloudInit;
    if (ci != null && ci.userData != null && ci.userDataSecretRef != null) {
      problems.add("spec.cloudInit takes userData or userDataSecretRef, not both");
    }
  }

  private static final Pattern RESOURCE_NAME =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

  /** A disk cloned from a snapshot: nothing else may say where its content comes from. */
  private static void validateClone(String at, DiskSpec d, List<String> problems) {
    if (d.image != null) {
      problems.add(at + " starts from an image or from a snapshot, not both");
    }
    if (d.format != null && !d.format.equals("qcow2")) {
      problems.add(at + ".format applies to blank volumes; a clone of a snapshot's disk is qcow2");
    }
    if (d.snapshot.name == null
        || d.snapshot.name.length() > 253
        || !RESOURCE_NAME.matcher(d.snapshot.name).matches()) {
      problems.add(
          at + ".snapshot.name '" + d.snapshot.name + "' is not the name of a KvmMachineSnapshot");
    }
    if (d.snapshot.disk != null && !DISK_NAME.matcher(d.snapshot.disk).matches()) {
      problems.add(at + ".snapshot.disk '" + d.snapshot.disk + "' is not a disk name like data");
    }
  }

  /** A disk's image: exactly one of path or url, each as it must be written. */
  private static void validateImage(String at, ImageSource img, List<String> problems) {
    if ((img.path == null) == (img.url == null)) {
      problems.add(at + ".image names exactly one of path or url");
    }
    if (img.path != null) {
      String lexical = ImagePaths.lexicalProblem(img.path);
      if (lexical != null) {
        problems.add(at + ".image.path: " + lexical);
      }
    }
    if (img.url != null) {
      try {
        ImageFetcher.parse(img.url);
      } catch (ImageFetcher.Failure e) {
        problems.add(at + ".image.url '" + img.url + "': " + e.getMessage());
      }
      if (img.sha256 == null) {
        problems.add(at + ".image.sha256 is required with url (64 hex digits)");
      }
    }
    if (img.sha256 != null && !SHA256.matcher(img.sha256).matches()) {
      problems.add(at + ".image.sha256 is not 64 hex digits");
    }
    if (img.format != null && DiskFormat.parse(img.format).isEmpty()) {
      problems.add(at + ".image.format '" + img.format + "' is not raw, qcow2, qed or vmdk");
    }
  }

  private static void validateBoot(BootSpec boot, List<String> problems) {
    if (boot == null) {
      return;
    }
    for (String[] f : new String[][] {{"kernel", boot.kernel}, {"initrd", boot.initrd}}) {
      if (f[1] == null) {
        if (f[0].equals("kernel")) {
          problems.add("spec.boot.kernel is required for direct kernel boot");
        }
      } else {
        String lexical = ImagePaths.lexicalProblem(f[1]);
        if (lexical != null) {
          problems.add("spec.boot." + f[0] + ": " + lexical.replace("image path", "path"));
        }
      }
    }
  }

  private static void validateInterfaces(List<MachineInterface> nics, List<String> problems) {
    if (nics == null) {
      return;
    }
    Set<String> names = new HashSet<>();
    Set<String> macs = new HashSet<>();
    for (int i = 0; i < nics.size(); i++) {
      MachineInterface n = nics.get(i);
      String field = "spec.interfaces[" + i + "]";
      if (n.name == null || !IFNAME.matcher(n.name).matches()) {
        problems.add(
            field + ".name '" + n.name + "' must be 1-15 lowercase letters, digits or '-'");
      } else if (!names.add(n.name)) {
        problems.add(field + ".name " + n.name + " is used twice");
      }
      if ((n.network == null) == (n.libvirtNetwork == null)) {
        problems.add(field + " must name exactly one of network (a KvmNetwork) or libvirtNetwork");
      }
      if (n.mac != null) {
        if (!MAC.matcher(n.mac).matches()) {
          problems.add(field + ".mac '" + n.mac + "' is not a MAC address like 52:54:00:12:34:56");
        } else if ((Integer.parseInt(n.mac.substring(0, 2), 16) & 1) == 1) {
          problems.add(
              field
                  + ".mac "
                  + n.mac
                  + " is a multicast address; use a unicast one such as 52:54:00:..");
        } else if (!macs.add(n.mac.toLowerCase(Locale.ROOT))) {
          problems.add(field + ".mac " + n.mac + " is used twice");
        }
      }
    }
  }

  /**
   * Host devices must exist on the node and be permitted by its KvmHost.
   *
   * @param lookup vendor and product ID by PCI address, empty when there is no such device
   */
  public static List<String> validateHostDevices(
      KvmMachineSpec spec,
      String node,
      List<PciDeviceId> permitted,
      java.util.function.Function<String, java.util.Optional<String[]>> lookup) {
    List<String> problems = new ArrayList<>();
    if (spec.hostDevices == null) {
      return problems;
    }
    for (int i = 0; i < spec.hostDevices.size(); i++) {
      String addr = spec.hostDevices.get(i).pciAddress;
      String field = "spec.hostDevices[" + i + "]";
      var id = lookup.apply(addr);
      if (id.isEmpty()) {
        problems.add(
            field
                + " "
                + addr
                + ": node "
                + node
                + " has no PCI device at that address (lspci -D lists them)");
        continue;
      }
      String vendor = id.get()[0];
      String product = id.get()[1];
      if (permitted.stream().noneMatch(p -> p.matches(vendor, product))) {
        problems.add(
            field
                + " "
                + addr
                + " ("
                + vendor
                + ":"
                + product
                + ") is not permitted on node "
                + node
                + ": the cluster admin must add {vendorId: "
                + vendor
                + ", productId: "
                + product
                + "} to KvmHost "
                + node
                + " spec.permittedHostDevices"
                + (permitted.isEmpty()
                    ? ""
                    : " (permitted now: "
                        + permitted.stream()
                            .map(Object::toString)
                            .collect(java.util.stream.Collectors.joining(", "))
                        + ")"));
      }
    }
    return problems;
  }

  /**
   * What only the host can tell: its memory, its CPU models, and whether a CPU mode works with the
   * virtualization type machines get there ({@code kvm} or {@code qemu}).
   */
  public static List<String> validateOnHost(KvmMachineSpec spec, HostFacts host, String virtType) {
    List<String> problems = new ArrayList<>();
    Quantities.kib(spec.maxMemoryOrMemory())
        .filter(k -> k > host.memoryKiB())
        .ifPresent(
            k ->
                problems.add(
                    (spec.maxMemory == null ? "spec.memory " : "spec.maxMemory ")
                        + spec.maxMemoryOrMemory()
                        + " is more than the node has ("
                        + Quantities.humanKib(host.memoryKiB())
                        + ")"));
    CpuSpec cpu = spec.cpuOrDefault();
    if (host.cpus() > 0 && cpu.maxVcpus() > host.cpus()) {
      problems.add(
          "spec.cpu asks for up to "
              + cpu.maxVcpus()
              + " vCPUs ((max)sockets x cores x threads), more than the node's "
              + host.cpus()
              + " CPUs");
    }
    if (cpu.modeOrDefault() == CpuMode.CUSTOM
        && cpu.model != null
        && !host.cpuModels().isEmpty()
        && !host.cpuModels().contains(cpu.model)) {
      problems.add(
          "spec.cpu.model "
              + cpu.model
              + " is not offered by this node; it has: "
              + String.join(", ", host.cpuModels()));
    }
    if (cpu.modeOrDefault() == CpuMode.HOST_PASSTHROUGH && "qemu".equals(virtType)) {
      problems.add(
          "spec.cpu.mode host-passthrough needs KVM, and this node runs machines under qemu"
              + " (software emulation, see condition KVMAvailable); use cpu.mode host-model,"
              + " custom or none, or a node with usable KVM");
    }
    return problems;
  }
}
