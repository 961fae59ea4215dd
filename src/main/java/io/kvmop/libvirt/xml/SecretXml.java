package io.kvmop.libvirt.xml;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlRootElement;

/**
 * libvirt's {@code <secret>} element, as kvmop defines it for a Ceph client's key
 * (https://libvirt.org/formatsecret.html): persistent, private (libvirt never hands the value back
 * through its API), with kvmop's mark in the description.
 */
@JacksonXmlRootElement(localName = "secret")
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"ephemeral", "private", "uuid", "description", "usage"})
public record SecretXml(
    @JacksonXmlProperty(isAttribute = true) String ephemeral,
    @JacksonXmlProperty(isAttribute = true, localName = "private") String secret,
    String uuid,
    String description,
    Usage usage) {

  /** A Ceph client key's secret: {@code usage} names it among the host's secrets. */
  public static SecretXml ceph(String uuid, String description, String usage) {
    return new SecretXml("no", "yes", uuid, description, new Usage("ceph", usage));
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"type", "name"})
  public record Usage(@JacksonXmlProperty(isAttribute = true) String type, String name) {}
}
