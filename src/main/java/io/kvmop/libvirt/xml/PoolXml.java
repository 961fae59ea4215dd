package io.kvmop.libvirt.xml;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlRootElement;

/**
 * libvirt's {@code <pool>} element for a directory pool, only what kvmop writes
 * (https://libvirt.org/formatstorage.html).
 */
@JacksonXmlRootElement(localName = "pool")
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"type", "name", "uuid", "target"})
public record PoolXml(
    @JacksonXmlProperty(isAttribute = true) String type, String name, String uuid, Target target) {

  public static PoolXml directory(String name, String path) {
    return new PoolXml("dir", name, null, new Target(path));
  }

  public String path() {
    return target == null ? null : target.path();
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Target(String path) {}
}
