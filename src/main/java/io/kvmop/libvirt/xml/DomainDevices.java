package io.kvmop.libvirt.xml;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlElementWrapper;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;
import java.util.List;

/**
 * The {@code <devices>} of libvirt's domain XML, as kvmop writes and reads them: disks, interfaces,
 * host devices, the serial port, channels and graphics. {@link DomainXml} implements this, so each
 * is known as {@code DomainXml.Disk} and so on.
 */
public interface DomainDevices {
  /** An element with no content, such as {@code <acpi/>}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Empty() {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"disk", "interface", "hostdev", "serial", "channel", "graphics"})
  public record Devices(
      @JacksonXmlElementWrapper(useWrapping = false) @JacksonXmlProperty(localName = "disk")
          List<Disk> disks,
      @JacksonXmlElementWrapper(useWrapping = false) @JacksonXmlProperty(localName = "interface")
          List<Interface> interfaces,
      @JacksonXmlElementWrapper(useWrapping = false) @JacksonXmlProperty(localName = "hostdev")
          List<Hostdev> hostdevs,
      @JacksonXmlElementWrapper(useWrapping = false) @JacksonXmlProperty(localName = "serial")
          List<Serial> serials,
      @JacksonXmlElementWrapper(useWrapping = false) @JacksonXmlProperty(localName = "channel")
          List<Channel> channels,
      @JacksonXmlElementWrapper(useWrapping = false) @JacksonXmlProperty(localName = "graphics")
          List<Graphics> graphics) {
    public Devices(
        List<Disk> disks,
        List<Interface> interfaces,
        List<Hostdev> hostdevs,
        List<Serial> serials,
        List<Channel> channels) {
      this(disks, interfaces, hostdevs, serials, channels, null);
    }
  }

  /**
   * {@code <graphics type='vnc' autoport='yes' listen='127.0.0.1'>}: a VNC display on the node's
   * loopback only; libvirt picks the port (shown in the running definition).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = Graphics.Reader.class)
  public record Graphics(
      @JacksonXmlProperty(isAttribute = true) String type,
      @JacksonXmlProperty(isAttribute = true) Integer port,
      @JacksonXmlProperty(isAttribute = true) String autoport,
      @JacksonXmlProperty(isAttribute = true) String listen) {
    public static Graphics vncOnLoopback() {
      return new Graphics("vnc", null, "yes", "127.0.0.1");
    }

    /**
     * libvirt writes the address twice, as the attribute {@code listen} and as a child element
     * {@code <listen type='address' address=.../>}: one name, two shapes, read here by hand.
     */
    static final class Reader extends com.fasterxml.jackson.databind.JsonDeserializer<Graphics> {
      @Override
      public Graphics deserialize(
          com.fasterxml.jackson.core.JsonParser p,
          com.fasterxml.jackson.databind.DeserializationContext ctx)
          throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode n = p.readValueAsTree();
        String listen = null;
        com.fasterxml.jackson.databind.JsonNode l = n.get("listen");
        for (com.fasterxml.jackson.databind.JsonNode one :
            l == null
                ? java.util.List.<com.fasterxml.jackson.databind.JsonNode>of()
                : l.isArray() ? l : java.util.List.of(l)) { // both shapes: merged into an array
          String a = one.isTextual() ? one.asText() : one.path("address").asText(null);
          listen = listen == null ? a : listen;
        }
        com.fasterxml.jackson.databind.JsonNode port = n.get("port");
        return new Graphics(
            n.path("type").asText(null),
            port == null ? null : Integer.valueOf(port.asText()),
            n.path("autoport").asText(null),
            listen);
      }
    }
  }

  /**
   * {@code <disk type='file' device='disk'>}: a volume's file, its format, the guest device and,
   * for the cloud-init seed, {@code <readonly/>}; or {@code <disk type='network'>}: an image of a
   * Ceph RBD pool, reached through its monitors with a cephx key kept in a libvirt secret. The
   * backing chain libvirt shows for a running domain is read from the image itself and not
   * compared.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"type", "device", "driver", "auth", "source", "target", "readonly"})
  public record Disk(
      @JacksonXmlProperty(isAttribute = true) String type,
      @JacksonXmlProperty(isAttribute = true) String device,
      DiskDriver driver,
      DiskAuth auth,
      DiskSource source,
      DiskTarget target,
      Empty readonly) {

    public static Disk file(String path, String format, String dev, String bus, boolean readonly) {
      return new Disk(
          "file",
          "disk",
          new DiskDriver("qemu", format),
          null,
          DiskSource.file(path),
          new DiskTarget(dev, bus),
          readonly ? new Empty() : null);
    }

    /**
     * Image {@code image} of Ceph pool {@code pool} (always raw), as client {@code user} with the
     * key in libvirt secret {@code secretUuid}.
     */
    public static Disk rbd(
        String pool,
        String image,
        List<NetworkHost> monitors,
        String user,
        String secretUuid,
        String dev,
        String bus) {
      return new Disk(
          "network",
          "disk",
          new DiskDriver("qemu", "raw"),
          new DiskAuth(user, new AuthSecret("ceph", secretUuid)),
          new DiskSource(null, "rbd", pool + "/" + image, monitors),
          new DiskTarget(dev, bus),
          null);
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record DiskDriver(
      @JacksonXmlProperty(isAttribute = true) String name,
      @JacksonXmlProperty(isAttribute = true) String type) {}

  /** A file, or a network protocol's image name with the hosts that serve it. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"file", "protocol", "name", "host"})
  public record DiskSource(
      @JacksonXmlProperty(isAttribute = true) String file,
      @JacksonXmlProperty(isAttribute = true) String protocol,
      @JacksonXmlProperty(isAttribute = true) String name,
      @JacksonXmlElementWrapper(useWrapping = false) @JacksonXmlProperty(localName = "host")
          List<NetworkHost> hosts) {
    public static DiskSource file(String path) {
      return new DiskSource(path, null, null, null);
    }
  }

  /** A server of a network disk or of an RBD pool: a Ceph monitor ({@code <host>}). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"name", "port"})
  public record NetworkHost(
      @JacksonXmlProperty(isAttribute = true) String name,
      @JacksonXmlProperty(isAttribute = true) String port) {}

  /** A network disk's login: the user, and the libvirt secret holding its key. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"username", "secret"})
  public record DiskAuth(
      @JacksonXmlProperty(isAttribute = true) String username, AuthSecret secret) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"type", "uuid"})
  public record AuthSecret(
      @JacksonXmlProperty(isAttribute = true) String type,
      @JacksonXmlProperty(isAttribute = true) String uuid) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record DiskTarget(
      @JacksonXmlProperty(isAttribute = true) String dev,
      @JacksonXmlProperty(isAttribute = true) String bus) {}

  /** {@code <hostdev mode='subsystem' type='pci' managed='yes'>}: PCI passthrough. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"mode", "type", "managed", "source"})
  public record Hostdev(
      @JacksonXmlProperty(isAttribute = true) String mode,
      @JacksonXmlProperty(isAttribute = true) String type,
      @JacksonXmlProperty(isAttribute = true) String managed,
      HostdevSource source) {

    /** From a PCI address such as 0000:3b:00.0. */
    public static Hostdev pci(String address) {
      String[] a = address.toLowerCase(java.util.Locale.ROOT).split("[:.]");
      return new Hostdev(
          "subsystem",
          "pci",
          "yes",
          new HostdevSource(new PciAddress("0x" + a[0], "0x" + a[1], "0x" + a[2], "0x" + a[3])));
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record HostdevSource(PciAddress address) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"domain", "bus", "slot", "function"})
  public record PciAddress(
      @JacksonXmlProperty(isAttribute = true) String domain,
      @JacksonXmlProperty(isAttribute = true) String bus,
      @JacksonXmlProperty(isAttribute = true) String slot,
      @JacksonXmlProperty(isAttribute = true) String function) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"type", "source", "mac", "model"})
  public record Interface(
      @JacksonXmlProperty(isAttribute = true) String type,
      InterfaceSource source,
      Mac mac,
      Model model) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record InterfaceSource(@JacksonXmlProperty(isAttribute = true) String network) {}

  public record Mac(@JacksonXmlProperty(isAttribute = true) String address) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Model(@JacksonXmlProperty(isAttribute = true) String type) {}

  /**
   * A serial port: kvmop's is a pty (so that a console can attach) whose output libvirt's virtlogd
   * also appends to a file ({@code <log>}).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Serial(
      @JacksonXmlProperty(isAttribute = true) String type, SerialSource source, SerialLog log) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SerialLog(
      @JacksonXmlProperty(isAttribute = true) String file,
      @JacksonXmlProperty(isAttribute = true) String append) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SerialSource(@JacksonXmlProperty(isAttribute = true) String path) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Channel(
      @JacksonXmlProperty(isAttribute = true) String type, ChannelTarget target) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ChannelTarget(
      @JacksonXmlProperty(isAttribute = true) String type,
      @JacksonXmlProperty(isAttribute = true) String name) {}
}
