package io.kvmop.libvirt.xml;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlElementWrapper;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlRootElement;
import java.util.List;

/**
 * libvirt's {@code <pool>} element for a directory pool or a Ceph RBD pool, only what kvmop writes
 * (https://libvirt.org/formatstorage.html).
 */
@JacksonXmlRootElement(localName = "pool")
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"type", "name", "uuid", "source", "target"})
public record PoolXml(
    @JacksonXmlProperty(isAttribute = true) String type,
    String name,
    String uuid,
    Source source,
    Target target) {

  public static PoolXml directory(String name, String path) {
    return new PoolXml("dir", name, null, null, new Target(path));
  }

  /**
   * A Ceph RBD pool: {@code rbdPool} on the cluster of {@code monitors}, as client {@code user}
   * with the key in libvirt secret {@code secretUuid}.
   */
  public static PoolXml rbd(
      String name,
      String uuid,
      String rbdPool,
      List<DomainDevices.NetworkHost> monitors,
      String user,
      String secretUuid) {
    return new PoolXml(
        "rbd",
        name,
        uuid,
        new Source(rbdPool, monitors, new Auth("ceph", user, new SecretRef(secretUuid))),
        null);
  }

  public String path() {
    return target == null ? null : target.path();
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Target(String path) {}

  /** Where an RBD pool's images are: the Ceph pool, its monitors, and how to log in. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"name", "host", "auth"})
  public record Source(
      String name,
      @JacksonXmlElementWrapper(useWrapping = false) @JacksonXmlProperty(localName = "host")
          List<DomainDevices.NetworkHost> hosts,
      Auth auth) {}

  /** cephx: the client's user name, its key in a libvirt secret. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"type", "username", "secret"})
  public record Auth(
      @JacksonXmlProperty(isAttribute = true) String type,
      @JacksonXmlProperty(isAttribute = true) String username,
      SecretRef secret) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SecretRef(@JacksonXmlProperty(isAttribute = true) String uuid) {}
}
