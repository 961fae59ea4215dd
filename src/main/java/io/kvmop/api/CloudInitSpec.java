package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * cloud-init NoCloud seed: kvmop builds a small disk labelled cidata with user-data, meta-data and
 * network-config and attaches it read-only.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.userData) && has(self.userDataSecretRef))",
    message = "cloudInit takes userData or userDataSecretRef, not both")
public class CloudInitSpec {
  @JsonPropertyDescription("user-data, e.g. starting with #cloud-config.")
  public String userData;

  @JsonPropertyDescription("Or: user-data from a key of a Secret in the machine's namespace.")
  public SecretKeyRef userDataSecretRef;

  @JsonPropertyDescription("network-config (cloud-init network config version 1 or 2).")
  public String networkData;

  @JsonPropertyDescription(
      "SSH public keys merged into the #cloud-config user-data as ssh_authorized_keys.")
  public List<String> sshAuthorizedKeys;

  public CloudInitSpec() {}
}
