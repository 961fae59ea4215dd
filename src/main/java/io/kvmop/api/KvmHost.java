package io.kvmop.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One KVM host, named after its node: written by that node's kvmop agent (status), configured by
 * the cluster admin (spec).
 */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("kvmhost")
@Categories(
    ApiGroup.CATEGORY) // not "all": that lists a namespace's workloads, hosts are the cluster's
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "KVM", jsonPath = ".status.kvm.usable")
@AdditionalPrinterColumn(name = "Cordoned", jsonPath = ".spec.cordoned")
@AdditionalPrinterColumn(name = "Drain", jsonPath = ".status.drain.phase")
@AdditionalPrinterColumn(name = "CPUs", jsonPath = ".status.capacity.cpus")
@AdditionalPrinterColumn(name = "Libvirt", jsonPath = ".status.libvirt.version")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class KvmHost extends CustomResource<KvmHostSpec, KvmHostStatus> {}
