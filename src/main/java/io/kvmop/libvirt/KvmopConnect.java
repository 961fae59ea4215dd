package io.kvmop.libvirt;

import com.sun.jna.Pointer;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/** A libvirt-java connection that also hands out its native pointer for {@link NativeLibvirt}. */
final class KvmopConnect extends Connect {
  KvmopConnect(String uri) throws LibvirtException {
    super(uri);
  }

  Pointer pointer() {
    return vcp.getPointer();
  }
}
