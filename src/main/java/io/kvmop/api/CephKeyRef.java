package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A key of a Secret in kvmop's own namespace: a Ceph client's key, which only the admin writes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CephKeyRef {
  @JsonPropertyDescription("The Secret's name, in the namespace kvmop runs in.")
  @Required
  @Pattern("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")
  public String name;

  @JsonPropertyDescription("The key within the Secret's data.")
  @Default("key")
  @Pattern("^[-._a-zA-Z0-9]+$")
  public String key = "key";

  public CephKeyRef() {}

  public CephKeyRef(String name, String key) {
    this.name = name;
    this.key = key;
  }

  public String keyOrDefault() {
    return key == null ? "key" : key;
  }
}
