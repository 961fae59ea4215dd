package io.kvmop.libvirt;

import io.kvmop.status.Reasons;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * libvirt errors turned into actionable condition reasons: a table from error code and message
 * pattern to a reason and the fix the KVM troubleshooting guides give. Unknown errors pass through
 * as LibvirtError with libvirt's code and message.
 */
public final class LibvirtErrors {
  /** A reason for the condition and a message saying what failed and what to do. */
  public record Explained(String reason, String message) {}

  private record Row(LibvirtCode code, Pattern message, String reason, String fix) {}

  private static final List<Row> TABLE =
      List.of(
          new Row(
              null,
              Pattern.compile(
                  "(?i)libvirt-sock.*permission denied|permission denied.*libvirt-sock"),
              Reasons.LIBVIRT_PERMISSION_DENIED,
              "the agent may not use libvirtd's socket: run it as root or add its user to the libvirt group (usermod -aG libvirt USER), and check the socket mount"),
          new Row(
              null,
              Pattern.compile("(?i)no supported architecture for os type 'hvm'"),
              Reasons.KVM_MODULES_MISSING,
              "libvirt finds no usable hypervisor for hvm guests: load the kvm modules (modprobe kvm_intel or kvm_amd) and restart libvirtd, or use virtType qemu"),
          new Row(
              null,
              Pattern.compile("(?i)could not access kvm kernel module: permission denied"),
              Reasons.DEV_KVM_PERMISSION_DENIED,
              "QEMU's user cannot open /dev/kvm: udevadm trigger, or chgrp kvm /dev/kvm && chmod 660 /dev/kvm"),
          new Row(
              null,
              Pattern.compile("(?i)unable to set user and group"),
              Reasons.DYNAMIC_OWNERSHIP_FAILED,
              "libvirt could not hand the file to QEMU's user: check user, group and dynamic_ownership in /etc/libvirt/qemu.conf, and that QEMU's user can reach the image directory"),
          new Row(
              null,
              Pattern.compile(
                  "(?i)address already in use|(bridge|network device|interface) .*already exists|file exists"),
              Reasons.ADDRESS_CONFLICT,
              "another interface holds the network's address or bridge name: check ip -br addr and choose another cidr"));

  private LibvirtErrors() {}

  public static Explained explain(LibvirtError e) {
    String msg = e.libvirtMessage() == null ? "" : e.libvirtMessage();
    String failed = e.operation() + " failed (" + e.code() + "): " + msg;
    for (Row r : TABLE) {
      if ((r.code() == null || r.code() == e.kind())
          && r.message().matcher(msg.toLowerCase(Locale.ROOT)).find()) {
        return new Explained(r.reason(), failed + "; " + r.fix());
      }
    }
    return new Explained(Reasons.LIBVIRT_ERROR, failed);
  }
}
