package io.kvmop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** Direct kernel boot: the host hands QEMU a kernel, an initrd and a command line. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BootSpec {
  @JsonPropertyDescription("Absolute path of the kernel image on the node.")
  @Required
  @Pattern("^/[^\\x00]*$")
  public String kernel;

  @JsonPropertyDescription("Absolute path of the initrd on the node.")
  @Pattern("^/[^\\x00]*$")
  public String initrd;

  @JsonPropertyDescription("Kernel command line, e.g. console=ttyS0.")
  public String cmdline;
}
