package io.kvmop.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The seeds' error messages become reasons with their fix; unknown ones keep libvirt's code. */
class LibvirtErrorsTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "VIR_ERR_SYSTEM_ERROR|Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied|LibvirtPermissionDenied|libvirt group",
        "VIR_ERR_CONFIG_UNSUPPORTED|no supported architecture for os type 'hvm'|KVMModulesMissing|modprobe kvm_intel",
        "VIR_ERR_INTERNAL_ERROR|process exited while connecting to monitor: Could not access KVM kernel module: Permission denied|DevKvmPermissionDenied|chgrp kvm /dev/kvm",
        "VIR_ERR_SYSTEM_ERROR|unable to set user and group to '64055:107' on '/var/lib/images/a.qcow2': Operation not permitted|DynamicOwnershipFailed|dynamic_ownership",
        "VIR_ERR_SYSTEM_ERROR|error creating bridge interface virbr0: File exists|AddressConflict|ip -br addr",
        "VIR_ERR_INTERNAL_ERROR|Network is already in use by interface eth0... Address already in use|AddressConflict|another cidr"
      })
  void knownErrorsGetTheirReasonAndFix(String code, String message, String reason, String fix) {
    var e = LibvirtErrors.explain(new LibvirtError("start domain web", code, "", message));
    assertThat(e.reason()).isEqualTo(reason);
    assertThat(e.message())
        .startsWith("start domain web failed (" + code + "): " + message)
        .contains(fix);
  }

  @Test
  void unknownErrorsPassThroughWithTheirCode() {
    var e =
        LibvirtErrors.explain(
            new LibvirtError("define domain web", "VIR_ERR_XML_DETAIL", "", "bad thing"));
    assertThat(e.reason()).isEqualTo("LibvirtError");
    assertThat(e.message()).isEqualTo("define domain web failed (VIR_ERR_XML_DETAIL): bad thing");
  }
}
