package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * A Ceph RBD pool as kvmop reaches it: the monitors, the pool (and RADOS namespace), the cephx
 * client and where its key is.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RbdPoolSpec {
  @JsonPropertyDescription(
      "The Ceph monitors, host:port (v1 protocol, port 6789 by default), e.g. 10.0.0.1:6789.")
  @Required
  @Size(min = 1, max = 16)
  public List<String> monitors = new ArrayList<>();

  @JsonPropertyDescription("The RBD pool's name.")
  @Required
  @Pattern("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
  public String pool;

  @JsonPropertyDescription(
      "A RADOS namespace within the pool (created by the Ceph admin), to keep kvmop's images"
          + " apart from others'. Empty: the pool's default namespace.")
  @Pattern("^([A-Za-z0-9][A-Za-z0-9._-]{0,127})?$")
  public String namespace;

  @JsonPropertyDescription(
      "The cephx client id without 'client.', e.g. kvmop; it needs 'profile rbd pool=POOL' and"
          + " nothing more.")
  @Default("kvmop")
  @Pattern("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
  public String user = "kvmop";

  @JsonPropertyDescription(
      "The Secret holding the client's key (as `ceph auth get-key` prints it), in kvmop's own"
          + " namespace, never a tenant's. The key goes into a libvirt secret on each node and"
          + " into no status, event, log or domain XML.")
  @Required
  public CephKeyRef secretRef;

  public RbdPoolSpec() {}

  public String userOrDefault() {
    return user == null || user.isBlank() ? "kvmop" : user;
  }

  public String namespaceOrEmpty() {
    return namespace == null ? "" : namespace;
  }
}
