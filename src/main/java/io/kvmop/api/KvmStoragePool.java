package io.kvmop.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Storage the cluster admin offers machines' disks (cluster-scoped, as a StorageClass): a node's
 * own directory pool, or a Ceph RBD pool every node reaches. Tenants name it in {@code
 * disks[].storage}; only the namespaces it lists may.
 */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames("kvmpool")
@Categories(ApiGroup.CATEGORY)
@AdditionalPrinterColumn(name = "Type", jsonPath = ".spec.type")
@AdditionalPrinterColumn(name = "Default", jsonPath = ".spec.default")
@AdditionalPrinterColumn(name = "Pool", jsonPath = ".spec.rbd.pool")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class KvmStoragePool extends CustomResource<KvmStoragePoolSpec, Void> {
  public KvmStoragePool() {}

  public boolean rbd() {
    return getSpec() != null && "rbd".equals(getSpec().type);
  }
}
