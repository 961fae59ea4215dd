package io.kvmop.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A point-in-time snapshot of one KvmMachine's disks (and, optionally, its memory), kept inside the
 * machine's qcow2 volumes on its node; restored by a KvmMachineRestore, or used as the disk source
 * of a new machine (a clone).
 */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames({"kvmsnap", "kvmsnaps"})
@Categories({ApiGroup.CATEGORY, "all"})
@AdditionalPrinterColumn(name = "Machine", jsonPath = ".spec.machine")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Memory", jsonPath = ".status.memory")
@AdditionalPrinterColumn(name = "Frozen", jsonPath = ".status.filesystemsFrozen")
@AdditionalPrinterColumn(name = "Node", jsonPath = ".status.nodeName")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class KvmMachineSnapshot
    extends CustomResource<KvmMachineSnapshotSpec, KvmMachineSnapshotStatus> implements Namespaced {

  /** Its name in libvirt: derived from the resource's uid, so a libvirt snapshot is this one's. */
  public String libvirtName() {
    return "kvmop-" + getMetadata().getUid();
  }
}
