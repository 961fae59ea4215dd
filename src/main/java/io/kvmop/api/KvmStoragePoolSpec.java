package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** What a KvmStoragePool is: its type, who may use it, and for RBD where the Ceph pool is. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.type != 'rbd' || has(self.rbd)",
    message = "a pool of type rbd needs spec.rbd (monitors, pool, user, secretRef)")
@ValidationRule(
    value = "self.type != 'directory' || !has(self.rbd)",
    message = "spec.rbd applies to type rbd only")
public class KvmStoragePoolSpec {
  @JsonPropertyDescription(
      "directory: each node's own kvmop directory pool (KVMOP_STORAGE_POOL_PATH), disks stay on"
          + " their node. rbd: a Ceph RBD pool every node reaches; a disk there outlives its host"
          + " and migrates without a copy.")
  @Required
  @Pattern("^(directory|rbd)$")
  public String type;

  @JsonPropertyDescription(
      "Namespaces whose machines may put disks here. Empty or absent: every namespace, as a"
          + " StorageClass; a disk of any other namespace is refused (StorageNotAllowed) and"
          + " nothing is created.")
  public List<String> namespaces = new ArrayList<>();

  @JsonPropertyDescription(
      "Disks that name no storage go here. With several defaults, the first by name wins;"
          + " with none, they go to the node's directory pool as before.")
  @JsonProperty("default")
  @Default("false")
  public Boolean isDefault = false;

  @JsonPropertyDescription("Where the Ceph pool is; for type rbd.")
  public RbdPoolSpec rbd;

  public KvmStoragePoolSpec() {}

  public boolean defaultPool() {
    return Boolean.TRUE.equals(isDefault);
  }

  public boolean allows(String namespace) {
    return namespaces == null || namespaces.isEmpty() || namespaces.contains(namespace);
  }
}
