package io.kvmop.libvirt.xml;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.xml.XmlFactory;
import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import com.fasterxml.jackson.dataformat.xml.ser.ToXmlGenerator;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;

/**
 * The one place libvirt XML is written and read. Text values are escaped by the XML writer, so
 * user-supplied strings can never add elements; external entities are never resolved.
 */
public final class XmlCodec {
  private static final XmlMapper MAPPER = create();

  private XmlCodec() {}

  private static XmlMapper create() {
    XMLInputFactory in = XMLInputFactory.newFactory();
    in.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    in.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    XMLOutputFactory out = XMLOutputFactory.newFactory();
    out.setProperty(org.codehaus.stax2.XMLOutputFactory2.P_AUTOMATIC_NS_PREFIX, "kvmop");
    XmlMapper mapper = new XmlMapper(new XmlFactory(in, out));
    mapper.setSerializationInclusion(JsonInclude.Include.NON_NULL);
    mapper.enable(SerializationFeature.INDENT_OUTPUT);
    mapper.disable(ToXmlGenerator.Feature.WRITE_XML_DECLARATION);
    mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    return mapper;
  }

  public static String write(Object element) {
    try {
      return MAPPER.writeValueAsString(element);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write libvirt XML for " + element, e);
    }
  }

  /** One element written under {@code root}, e.g. a domain's disk for a device attach. */
  public static String write(Object element, String root) {
    try {
      return MAPPER.writer().withRootName(root).writeValueAsString(element);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write libvirt XML for " + element, e);
    }
  }

  public static <T> T read(String xml, Class<T> type) {
    try {
      return MAPPER.readValue(xml, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot read libvirt XML as " + type.getSimpleName(), e);
    }
  }
}
