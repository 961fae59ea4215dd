package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A key of a Secret in the machine's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretKeyRef {
  @JsonPropertyDescription("The Secret's name.")
  @Required
  @Pattern("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")
  public String name;

  @JsonPropertyDescription("The key within the Secret's data.")
  @Default("userdata")
  @Pattern("^[-._a-zA-Z0-9]+$")
  public String key = "userdata";

  public SecretKeyRef() {}

  public SecretKeyRef(String name, String key) {
    this.name = name;
    this.key = key;
  }

  public String keyOrDefault() {
    return key == null ? "userdata" : key;
  }
}
