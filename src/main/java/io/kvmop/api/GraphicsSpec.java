package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A machine's graphical display. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GraphicsSpec {
  @JsonPropertyDescription("vnc: a VNC server on the node's loopback address only.")
  @Required
  @Pattern("^vnc$")
  public String type;

  public GraphicsSpec() {}
}
