package io.kvmop.libvirt.xml;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlElementWrapper;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlRootElement;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlText;
import java.util.List;
import java.util.Objects;

/**
 * libvirt's {@code <domain>} element, only the parts kvmop writes, named after libvirt's domain XML
 * format (https://libvirt.org/formatdomain.html). Whatever libvirt adds when it reads a domain back
 * (machine type, PCI addresses, controllers, security labels) is ignored.
 */
@JacksonXmlRootElement(localName = "domain")
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({
  "type",
  "name",
  "uuid",
  "metadata",
  "memory",
  "currentMemory",
  "vcpu",
  "os",
  "features",
  "cpu",
  "devices"
})
public record DomainXml(
    @JacksonXmlProperty(isAttribute = true) String type,
    String name,
    String uuid,
    Metadata metadata,
    Memory memory,
    Memory currentMemory,
    Vcpu vcpu,
    Os os,
    Features features,
    Cpu cpu,
    Devices devices) {

  /** A domain whose memory cannot change while it runs (no currentMemory below memory). */
  public DomainXml(
      String type,
      String name,
      String uuid,
      Metadata metadata,
      Memory memory,
      Vcpu vcpu,
      Os os,
      Features features,
      Cpu cpu,
      Devices devices) {
    this(type, name, uuid, metadata, memory, null, vcpu, os, features, cpu, devices);
  }

  /** The namespace of kvmop's ownership mark inside {@code <metadata>}. */
  public static final String KVMOP_NS = "https://kvmop.io/xmlns/machine/v1alpha1";

  public record Metadata(
      @JacksonXmlProperty(localName = "machine", namespace = KVMOP_NS) Owner owner) {}

  /**
   * kvmop's mark: which resource a domain belongs to, a hash of the definition kvmop wrote ({@code
   * definition}), and a hash of the form libvirt stored it in ({@code stored}, see {@link
   * #storedHash()}). A running domain keeps the metadata it was started with, so comparing the
   * running domain's hash with the declared one tells whether a restart is pending, without
   * comparing against libvirt's expansion of the running definition (CPU model, boot order). The
   * stored hash tells whether anyone changed the persistent definition since kvmop wrote it,
   * whatever libvirt filled in when it stored it (a boot device, a default CPU model).
   */
  @JacksonXmlRootElement(localName = "machine")
  @JsonPropertyOrder({"namespace", "name", "uid", "definition", "stored", "fixed"})
  public record Owner(
      @JacksonXmlProperty(isAttribute = true) String namespace,
      @JacksonXmlProperty(isAttribute = true) String name,
      @JacksonXmlProperty(isAttribute = true) String uid,
      @JacksonXmlProperty(isAttribute = true) String definition,
      @JacksonXmlProperty(isAttribute = true) String stored,
      @JacksonXmlProperty(isAttribute = true) String fixed) {

    public Owner(String namespace, String name, String uid) {
      this(namespace, name, uid, null, null, null);
    }

    public Owner(String namespace, String name, String uid, String definition) {
      this(namespace, name, uid, definition, null, null);
    }

    public Owner(String namespace, String name, String uid, String definition, String stored) {
      this(namespace, name, uid, definition, stored, null);
    }

    public Owner withStored(String hash) {
      return new Owner(namespace, name, uid, definition, hash, fixed);
    }
  }

  /** kvmop's owner mark, or null. */
  public Owner owner() {
    return metadata == null ? null : metadata.owner();
  }

  /**
   * A hash of everything kvmop reads of this definition except its metadata: equal for two reads of
   * one stored definition, different once any field kvmop declares was changed.
   */
  public String storedHash() {
    return io.kvmop.ids.Hashes.sha256(
            XmlCodec.write(
                new DomainXml(
                    type,
                    name,
                    uuid,
                    null,
                    memory,
                    currentMemory,
                    vcpu,
                    os,
                    features,
                    cpu,
                    devices)))
        .substring(0, 16);
  }

  /** The hash of the definition, stored in the owner mark; null when there is no mark. */
  public String definitionHash() {
    return metadata == null || metadata.owner() == null ? null : metadata.owner().definition();
  }

  /**
   * This definition with its owner mark carrying the hash of everything else in it ({@code
   * definition}), and the hash of what cannot change while the domain runs ({@code fixed}: all but
   * the current memory and vCPUs, the disks and the interfaces), which tells whether a change can
   * be made live.
   */
  public DomainXml withDefinitionHash() {
    if (metadata == null || metadata.owner() == null) {
      return this;
    }
    Owner o = metadata.owner();
    String text = XmlCodec.write(withOwner(new Owner(o.namespace(), o.name(), o.uid(), null)));
    Devices others =
        devices == null
            ? null
            : new Devices(
                null,
                null,
                devices.hostdevs(),
                devices.serials(),
                devices.channels(),
                devices.graphics());
    String fixed =
        XmlCodec.write(
            new DomainXml(
                type,
                name,
                uuid,
                null,
                memory,
                null,
                vcpu == null ? null : new Vcpu(vcpu.value),
                os,
                features,
                cpu,
                others));
    return withOwner(
        new Owner(
            o.namespace(),
            o.name(),
            o.uid(),
            io.kvmop.ids.Hashes.sha256(text).substring(0, 16),
            null,
            io.kvmop.ids.Hashes.sha256(fixed).substring(0, 16)));
  }

  private DomainXml withOwner(Owner owner) {
    return new DomainXml(
        type,
        name,
        uuid,
        new Metadata(owner),
        memory,
        currentMemory,
        vcpu,
        os,
        features,
        cpu,
        devices);
  }

  /** The memory the guest has now: currentMemory, or all of memory when it is not given. */
  public Memory memoryNow() {
    return currentMemory != null ? currentMemory : memory;
  }

  /** {@code <memory unit='KiB'>N</memory>}; kvmop always writes KiB, as libvirt reads back. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Memory {
    @JacksonXmlProperty(isAttribute = true)
    public String unit;

    @JacksonXmlText public long value;

    public Memory() {}

    public Memory(long kib) {
      this.unit = "KiB";
      this.value = kib;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Memory m && Objects.equals(unit, m.unit) && value == m.value;
    }

    @Override
    public int hashCode() {
      return Objects.hash(unit, value);
    }

    @Override
    public String toString() {
      return value + " " + unit;
    }
  }

  /**
   * {@code <vcpu current='N'>MAX</vcpu>}: MAX vCPUs the domain may have, N of them present now (all
   * when current is not given).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Vcpu {
    @JacksonXmlProperty(isAttribute = true)
    @com.fasterxml.jackson.annotation.JsonInclude(
        com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public Integer current;

    @JacksonXmlText public int value;

    public Vcpu() {}

    public Vcpu(int value) {
      this.value = value;
    }

    public Vcpu(int current, int max) {
      this.value = max;
      this.current = current < max ? current : null;
    }

    /** How many are present now. */
    public int now() {
      return current == null ? value : current;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Vcpu v && value == v.value && now() == v.now();
    }

    @Override
    public int hashCode() {
      return Objects.hash(value, now());
    }

    @Override
    public String toString() {
      return (current == null ? "" : current + " of ") + value + " vCPU";
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"firmware", "type", "kernel", "initrd", "cmdline", "boot"})
  public record Os(
      @JacksonXmlProperty(isAttribute = true) String firmware,
      OsType type,
      String kernel,
      String initrd,
      String cmdline,
      Boot boot) {}

  /** {@code <type arch='x86_64'>hvm</type>}; the machine type is left to libvirt. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class OsType {
    @JacksonXmlProperty(isAttribute = true)
    public String arch;

    @JacksonXmlText public String value;

    public OsType() {}

    public OsType(String arch, String value) {
      this.arch = arch;
      this.value = value;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof OsType t
          && Objects.equals(arch, t.arch)
          && Objects.equals(value, t.value);
    }

    @Override
    public int hashCode() {
      return Objects.hash(arch, value);
    }

    @Override
    public String toString() {
      return value + "/" + arch;
    }
  }

  public record Boot(@JacksonXmlProperty(isAttribute = true) String dev) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Features(Empty acpi, Empty apic, Kvm kvm) {}

  /** An element with no content, such as {@code <acpi/>}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Empty() {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Kvm(Hidden hidden) {}

  public record Hidden(@JacksonXmlProperty(isAttribute = true) String state) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"mode", "match", "model", "topology", "feature"})
  public record Cpu(
      @JacksonXmlProperty(isAttribute = true) String mode,
      @JacksonXmlProperty(isAttribute = true) String match,
      CpuModel model,
      Topology topology,
      @JacksonXmlElementWrapper(useWrapping = false) @JacksonXmlProperty(localName = "feature")
          List<CpuFeature> features) {}

  /** {@code <model fallback='forbid'>Nehalem</model>}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class CpuModel {
    @JacksonXmlProperty(isAttribute = true)
    public String fallback;

    @JacksonXmlText public String value;

    public CpuModel() {}

    public CpuModel(String fallback, String value) {
      this.fallback = fallback;
      this.value = value;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CpuModel m
          && Objects.equals(fallback, m.fallback)
          && Objects.equals(value, m.value);
    }

    @Override
    public int hashCode() {
      return Objects.hash(fallback, value);
    }

    @Override
    public String toString() {
      return value;
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Topology(
      @JacksonXmlProperty(isAttribute = true) Integer sockets,
      @JacksonXmlProperty(isAttribute = true) Integer cores,
      @JacksonXmlProperty(isAttribute = true) Integer threads) {}

  public record CpuFeature(
      @JacksonXmlProperty(isAttribute = true) String policy,
      @JacksonXmlProperty(isAttribute = true) String name) {}

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
   * for the cloud-init seed, {@code <readonly/>}. The backing chain libvirt shows for a running
   * domain is read from the image itself and not compared.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"type", "device", "driver", "source", "target", "readonly"})
  public record Disk(
      @JacksonXmlProperty(isAttribute = true) String type,
      @JacksonXmlProperty(isAttribute = true) String device,
      DiskDriver driver,
      DiskSource source,
      DiskTarget target,
      Empty readonly) {

    public static Disk file(String path, String format, String dev, String bus, boolean readonly) {
      return new Disk(
          "file",
          "disk",
          new DiskDriver("qemu", format),
          new DiskSource(path),
          new DiskTarget(dev, bus),
          readonly ? new Empty() : null);
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record DiskDriver(
      @JacksonXmlProperty(isAttribute = true) String name,
      @JacksonXmlProperty(isAttribute = true) String type) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record DiskSource(@JacksonXmlProperty(isAttribute = true) String file) {}

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
