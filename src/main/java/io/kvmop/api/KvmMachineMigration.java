package io.kvmop.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A request to move one running KvmMachine to another node while it runs (live migration, its local
 * disks copied), done once by the two nodes' agents; the machine's spec is never written.
 */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames({"kvmmig", "kvmmigs"})
@Categories({ApiGroup.CATEGORY, "all"})
@AdditionalPrinterColumn(name = "Machine", jsonPath = ".spec.machine")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Source", jsonPath = ".status.sourceNode")
@AdditionalPrinterColumn(name = "Target", jsonPath = ".status.targetNode")
@AdditionalPrinterColumn(
    name = "Remaining",
    jsonPath = ".status.progress.dataRemaining",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class KvmMachineMigration
    extends CustomResource<KvmMachineMigrationSpec, KvmMachineMigrationStatus>
    implements Namespaced {}
