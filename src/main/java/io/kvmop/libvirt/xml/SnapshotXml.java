package io.kvmop.libvirt.xml;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlRootElement;

/**
 * libvirt's {@code <domainsnapshot>} element (https://libvirt.org/formatsnapshot.html), as much as
 * kvmop writes and reads: the name, a description, and (read back) the domain's state when it was
 * taken, its creation time, and whether the memory was kept.
 */
@JacksonXmlRootElement(localName = "domainsnapshot")
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "description", "state", "creationTime", "memory"})
public record SnapshotXml(
    String name, String description, String state, Long creationTime, Memory memory) {

  /** What kvmop asks libvirt for: an internal snapshot of this name (libvirt picks the rest). */
  public static SnapshotXml internal(String name, String description) {
    return new SnapshotXml(name, description, null, null, null);
  }

  /** Whether the guest's memory is part of it (taken while the guest ran). */
  public boolean keepsMemory() {
    return memory != null && memory.snapshot() != null && !"no".equals(memory.snapshot());
  }

  /** {@code <memory snapshot='internal|external|no'/>} */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Memory(@JacksonXmlProperty(isAttribute = true) String snapshot) {}
}
