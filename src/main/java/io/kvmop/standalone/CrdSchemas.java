package io.kvmop.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenAPI schemas of kvmop's CRDs, as generated into the jar (META-INF/fabric8), used where no
 * API server checks manifests: standalone mode and the examples test. Formats, enums, patterns and
 * bounds are checked here; CEL rules are checked by kvmop's own validators.
 */
public final class CrdSchemas {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();
  private static final Map<String, String> PLURALS =
      Map.of(
          "KvmNetwork",
          "kvmnetworks",
          "KvmMachine",
          "kvmmachines",
          "KvmHost",
          "kvmhosts",
          "KvmMachineSnapshot",
          "kvmmachinesnapshots",
          "KvmMachineRestore",
          "kvmmachinerestores",
          "KvmMachineMigration",
          "kvmmachinemigrations");

  private CrdSchemas() {}

  /** Problems of one resource document, each naming the field ($.spec.ipv4.cidr: ...). */
  public static List<String> validate(String kind, JsonNode document) {
    JsonSchema schema = SCHEMAS.computeIfAbsent(kind, CrdSchemas::load);
    return schema.validate(document).stream().map(m -> m.getMessage()).sorted().toList();
  }

  private static JsonSchema load(String kind) {
    String resource = "/META-INF/fabric8/" + PLURALS.get(kind) + ".kvmop.io-v1.yml";
    try (InputStream in = CrdSchemas.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("CRD " + resource + " is not in the jar");
      }
      JsonNode crd = YAML.readTree(in);
      JsonNode schema =
          crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
