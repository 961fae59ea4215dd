package io.kvmop.libvirt.xml;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlElementWrapper;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlProperty;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlRootElement;
import com.fasterxml.jackson.dataformat.xml.annotation.JacksonXmlText;
import java.util.List;

/** The part of libvirt's {@code <domainCapabilities>} kvmop reads: usable custom CPU models. */
@JacksonXmlRootElement(localName = "domainCapabilities")
@JsonIgnoreProperties(ignoreUnknown = true)
public record DomainCapabilitiesXml(CpuCaps cpu) {

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record CpuCaps(
      @JacksonXmlElementWrapper(useWrapping = false) @JacksonXmlProperty(localName = "mode")
          List<Mode> modes) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Mode(
      @JacksonXmlProperty(isAttribute = true) String name,
      @JacksonXmlProperty(isAttribute = true) String supported,
      @JacksonXmlElementWrapper(useWrapping = false) @JacksonXmlProperty(localName = "model")
          List<Model> models) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Model {
    @JacksonXmlProperty(isAttribute = true)
    public String usable;

    @JacksonXmlText public String value;
  }

  /** Models of mode custom that this host can run. */
  public List<String> usableCustomModels() {
    if (cpu == null || cpu.modes() == null) {
      return List.of();
    }
    return cpu.modes().stream()
        .filter(m -> "custom".equals(m.name()) && "yes".equals(m.supported()) && m.models() != null)
        .flatMap(m -> m.models().stream())
        .filter(m -> !"no".equals(m.usable))
        .map(m -> m.value == null ? "" : m.value.trim())
        .filter(v -> !v.isEmpty())
        .toList();
  }
}
