package io.kvmop.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A request to bring a KvmMachine back to one of its KvmMachineSnapshots, done once by the
 * machine's node agent; the machine's spec is never written.
 */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames({"kvmrestore", "kvmrestores"})
@Categories({ApiGroup.CATEGORY, "all"})
@AdditionalPrinterColumn(name = "Machine", jsonPath = ".spec.machine")
@AdditionalPrinterColumn(name = "Snapshot", jsonPath = ".spec.snapshot")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class KvmMachineRestore
    extends CustomResource<KvmMachineRestoreSpec, KvmMachineRestoreStatus> implements Namespaced {}
