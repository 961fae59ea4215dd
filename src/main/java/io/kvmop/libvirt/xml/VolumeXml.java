package io.kvmop.libvirt.xml;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlRootElement;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlText;
import java.util.Objects;

/**
 * libvirt's {@code <volume>} element (https://libvirt.org/formatstorage.html#storage-volume-xml): a
 * file in a pool, optionally a copy-on-write overlay on a backing image.
 */
@JacksonXmlRootElement(localName = "volume")
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"type", "name", "capacity", "allocation", "target", "backingStore"})
public record VolumeXml(
    @JacksonXmlProperty(isAttribute = true) String type,
    String name,
    Size capacity,
    Size allocation,
    Target target,
    BackingStore backingStore) {

  /** A new volume of {@code bytes} in {@code format}; thin (nothing allocated up front). */
  public static VolumeXml create(String name, long bytes, String format, BackingStore backing) {
    return new VolumeXml(
        "file",
        name,
        new Size(bytes),
        new Size(0),
        new Target(null, new Format(format), new Permissions("0600")),
        backing);
  }

  public static BackingStore backing(String path, String format) {
    return new BackingStore(path, new Format(format));
  }

  public long capacityBytes() {
    return capacity == null ? 0 : capacity.bytes();
  }

  public String format() {
    return target == null || target.format() == null ? null : target.format().type();
  }

  public String path() {
    return target == null ? null : target.path();
  }

  public String backingPath() {
    return backingStore == null ? null : backingStore.path();
  }

  /** {@code <capacity unit='bytes'>N</capacity>}; kvmop writes bytes, as libvirt reads back. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Size {
    @JacksonXmlProperty(isAttribute = true)
    public String unit;

    @JacksonXmlText public long value;

    public Size() {}

    public Size(long bytes) {
      this.unit = "bytes";
      this.value = bytes;
    }

    public long bytes() {
      return unit == null || unit.equals("bytes") || unit.equals("B") ? value : scaled();
    }

    private long scaled() {
      return switch (unit) {
        case "KiB", "K", "k" -> value << 10;
        case "MiB", "M" -> value << 20;
        case "GiB", "G" -> value << 30;
        case "TiB", "T" -> value << 40;
        default -> value;
      };
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Size s && bytes() == s.bytes();
    }

    @Override
    public int hashCode() {
      return Objects.hash(bytes());
    }

    @Override
    public String toString() {
      return value + " " + unit;
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"path", "format", "permissions"})
  public record Target(String path, Format format, Permissions permissions) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Format(@JacksonXmlProperty(isAttribute = true) String type) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Permissions(String mode) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"path", "format"})
  public record BackingStore(String path, Format format) {}
}
