package io.kvmop.host;

import java.util.List;

/**
 * What the KVM checks look at, read from the host (or from fixture files in tests).
 *
 * @param devKvm /dev/kvm as stat shows it, or null when it does not exist
 * @param qemuUserGroups the groups of the user libvirt runs QEMU as (libvirt-qemu on Debian)
 * @param nested the kvm_intel/kvm_amd "nested" parameter, or null when neither module is loaded
 * @param domcapsKvmError libvirt's error for domcapabilities with virttype kvm; null when it
 *     answered, "" when libvirt was not asked
 */
public record HostSnapshot(
    String cpuinfo,
    String modules,
    DevNode devKvm,
    boolean vhostNet,
    String nested,
    List<String> qemuUserGroups,
    String domcapsKvmError) {

  /** A device node: whether it is a character device, its owner group and permission bits. */
  public record DevNode(boolean characterDevice, String owner, String group, int mode) {
    public String describe() {
      return owner + ":" + group + " " + String.format("%04o", mode);
    }
  }
}
