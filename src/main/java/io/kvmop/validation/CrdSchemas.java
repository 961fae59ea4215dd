package io.kvmop.validation;

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
 * The OpenAPI schemas of kvmop's CRDs, as generated into the jar (META-INF/fabric8): a manifest in
 * standalone mode, and every spec an agent acts on (an API server may not have checked it: an older
 * CRD, a mock), is checked against them. Formats, enums, patterns and bounds are checked here; CEL
 * rules are checked by kvmop's own validators.
 */
public final class CrdSchemas {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

  /**
   * JSON Schema draft 4 with Kubernetes' own keywords known (CEL rules are checked by kvmop's
   * validators, int-or-string by the readers), so that loading a schema warns of nothing.
   */
  private static final JsonSchemaFactory FACTORY = factory();

  private static JsonSchemaFactory factory() {
    com.networknt.schema.JsonMetaSchema.Builder meta =
        com.networknt.schema.JsonMetaSchema.builder(com.networknt.schema.JsonMetaSchema.getV4());
    for (String k :
        List.of(
            "x-kubernetes-validations",
            "x-kubernetes-int-or-string",
            "x-kubernetes-preserve-unknown-fields",
            "x-kubernetes-list-type",
            "x-kubernetes-list-map-keys",
            "x-kubernetes-map-type",
            "x-kubernetes-embedded-resource")) {
      meta.keyword(new com.networknt.schema.NonValidationKeyword(k));
    }
    com.networknt.schema.JsonMetaSchema v4 = meta.build();
    return JsonSchemaFactory.builder(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4))
        .metaSchema(v4)
        .defaultMetaSchemaIri(v4.getIri())
        .build();
  }

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
          "kvmmachinemigrations",
          "KvmStoragePool",
          "kvmstoragepools");

  private CrdSchemas() {}

  /** Problems of one resource document, each naming the field ($.spec.ipv4.cidr: ...). */
  public static List<String> validate(String kind, JsonNode document) {
    JsonSchema schema = SCHEMAS.computeIfAbsent(kind, CrdSchemas::load);
    return schema.validate(document).stream().map(m -> m.getMessage()).sorted().toList();
  }

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

  /** A checked spec: what it was (its JSON's hash) and what was wrong with it. */
  private record Checked(int hash, List<String> problems) {}

  private static final Map<String, Checked> CHECKED = new ConcurrentHashMap<>();

  /**
   * Problems of the spec of one object the agent is about to act on, each naming the field
   * (spec.disks[0].bus: ...); checked again only when the spec changed since the last time {@code
   * uid} was asked about.
   */
  public static List<String> specProblems(String kind, String uid, Object spec) {
    if (spec == null) {
      return List.of();
    }
    JsonNode doc = JSON.createObjectNode().set("spec", JSON.valueToTree(spec));
    int hash = doc.hashCode();
    Checked c = uid == null ? null : CHECKED.get(uid);
    if (c == null || c.hash() != hash) {
      c =
          new Checked(
              hash,
              validate(kind, doc).stream()
                  .map(m -> m.startsWith("$.") ? m.substring(2) : m)
                  .toList());
      if (uid != null) {
        CHECKED.put(uid, c);
      }
    }
    return c.problems();
  }

  /** Forgets what was checked of an object (it is gone). */
  public static void forget(String uid) {
    if (uid != null) {
      CHECKED.remove(uid);
    }
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
      return FACTORY.getSchema(schema);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
