package io.kvmop.api;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A KVM virtual machine. Only the fields other controllers read are modelled so far: the network
 * controller keeps a KvmNetwork while a machine's interface uses it.
 */
@Group(ApiGroup.GROUP)
@Version(ApiGroup.VERSION)
@ShortNames({"kvm", "kvmvm"})
@Categories(ApiGroup.CATEGORY)
public class KvmMachine extends CustomResource<KvmMachineSpec, Void> implements Namespaced {}
