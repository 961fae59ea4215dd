package io.kvmop.libvirt.xml;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlElementWrapper;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlRootElement;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlText;
import io.kvmop.ids.Hashes;
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
    Devices devices)
    implements DomainDevices {

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
    return Hashes.sha256(
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
            Hashes.sha256(text).substring(0, 16),
            null,
            Hashes.sha256(fixed).substring(0, 16)));
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
}
